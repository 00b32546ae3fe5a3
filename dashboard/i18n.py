"""Italian labels of the dashboard: every string a user reads, in one place."""

from __future__ import annotations

import re

# The product's words and number forms, shared with downloads and reports.
from pipelines.vocabulary import (  # noqa: F401 (re-exported for the pages)
    MONTHS,
    NOT_GIVEN,
    NOT_GIVEN_BY_DIMENSION,
    SLA_STATE_LABELS,
)
from pipelines.vocabulary import italian_number as format_number
from pipelines.vocabulary import italian_percent as format_percent  # noqa: F401

SLA_STATE_BADGES = {
    "breached": "🔴 Violato",
    "at_risk": "🟠 A rischio",
    "on_track": "🟢 In tempo",
    "pending_documentation": "⚪ In attesa documenti",
    "met": "✅ Rispettato",
    "excluded": "➖ Escluso",
}
REQUEST_TYPE_LABELS = {"fault": "Guasto", "theft_loss": "Furto/Smarrimento"}

FLAG_LABELS = {
    "imei_not_in_inventory": "IMEI non presente in inventario",
    "protection_not_active": "Protezione non attiva all'apertura",
    "several_open_claims": "Più pratiche aperte per lo stesso IMEI",
    "customer_differs_from_inventory": "Cliente diverso da quello del dispositivo",
    "unknown_customer": "Cliente non presente in anagrafica",
    "line_without_device": "Linea senza dispositivo",
}

# The warehouse writes a flag's detail in English (core.claim_flags); the claim's
# detail shows it in Italian, and leaves out any detail it cannot read.
_FLAG_DETAILS = {
    "imei_not_in_inventory": (re.compile(r"IMEI (\S+) is not in the device inventory"),
                              "IMEI {0} non presente nell'inventario"),
    "protection_not_active": (re.compile(r"opened (\S+) while protection was (.*)"),
                              "aperta il {0} con protezione {1}"),
    "several_open_claims": (re.compile(r"(\d+) open claims for IMEI (\S+)"),
                            "{0} pratiche aperte per l'IMEI {1}"),
    "customer_differs_from_inventory": (
        re.compile(r"claim customer (\S+), device customer (\S+)"),
        "cliente della pratica {0}, cliente del dispositivo {1}"),
    "unknown_customer": (re.compile(r"customer (\S+) is not in the customer export"),
                         "cliente {0} non presente nell'anagrafica clienti"),
}


def flag_text(flag: str, detail: str | None) -> str:
    """A flag in Italian with its detail: 'Più pratiche aperte per lo stesso IMEI: 2
    pratiche aperte per l'IMEI 35…'."""
    label = FLAG_LABELS.get(flag, "Segnalazione")
    pattern, template = _FLAG_DETAILS.get(flag, (None, ""))
    found = pattern.fullmatch(detail.strip()) if pattern is not None and detail else None
    if not found:
        return label
    parts = ("sconosciuto" if part == "unknown" else part for part in found.groups())
    return f"{label}: {template.format(*parts)}"


REASON_LABELS = {
    "missing": "Valore obbligatorio mancante",
    "invalid_imei": "IMEI non valido",
    "invalid_nmu": "NMU non valido",
    "invalid_partita_iva": "Partita IVA non valida",
    "invalid_date": "Data non valida",
    "invalid_datetime": "Data e ora non valide",
    "invalid_boolean": "Valore Sì/No non valido",
    "invalid_province": "Provincia non valida",
    "invalid_postcode": "CAP non valido",
    "unknown_value": "Valore non ammesso",
    "available_before_opened": "Disponibilità precedente all'apertura",
    "malformed_row": "Riga malformata",
}

PAGE_TITLES = {
    "monitoring": "Monitoraggio ticket",
    "intake": "Richiedi assistenza",
    "sla": "SLA",
    "enablement": "Abilitazioni",
    "portfolio": "Portafoglio",
    "data_quality": "Qualità dati",
}

def reason_label(reason: str) -> str:
    """'invalid_imei: IMEI = 3,52E+14' -> 'IMEI non valido: IMEI = 3,52E+14'."""
    code, _, detail = reason.partition(": ")
    return f"{REASON_LABELS.get(code, code)}: {detail}" if detail else REASON_LABELS.get(code, code)



# ---------------------------------------------------------------- SLA, portfolio, data quality

# Breakdown dimensions of the SLA page (dashboard.access.data.BREAKDOWN_DIMENSIONS), in menu order.
DIMENSION_LABELS = {
    "request_type": "Tipo richiesta",
    "channel": "Canale",
    "delivery_mode": "Modalità consegna",
    "region": "Regione cliente",
    "assistance_point": "Punto assistenza",
    "assistance_point_region": "Regione punto assistenza",
    "customer": "Cliente",
    "device_model": "Modello dispositivo",
    "segment": "Segmento",
    "account_manager": "Account manager",
}
KIND_LABELS = {
    "claims": "Segnalazioni",
    "devices": "Dispositivi",
    "customers": "Clienti",
    "enablements": "Abilitazioni",
    "assistance_points": "Punti assistenza",
    "users": "Utenti",
    "delivery_addresses": "Sedi",
}
FLAG_ENTITY_LABELS = {"claim": "Pratiche", "enablement": "Abilitazioni"}

# ---------------------------------------------------------------- ticket monitoring, enablement

VIEW_LABELS = {"monitoring": "Monitoraggio", "history": "Storico"}
# Table and export headers of claims, lines and audit rows, by warehouse column name.
COLUMN_LABELS = {
    "request_number": "Numero richiesta",
    "sla_badge": "SLA",
    "sla_label": "Stato SLA",
    "status": "Stato",
    "due_date": "Consegna prevista entro",
    "business_days_remaining": "Gg lav. rimanenti",
    "business_days_taken": "Gg lav. impiegati",
    "business_days_late": "Gg lav. di ritardo",
    "documentation_wait_days": "Attesa documenti (gg lav.)",
    "request_type": "Tipo richiesta",
    "company_name": "Cliente",
    "customer_code": "Codice cliente",
    "nmu": "Linea (NMU)",
    "imei": "IMEI",
    "device": "Dispositivo",
    "channel": "Canale",
    "delivery_mode": "Modalità consegna",
    "assistance_point_name": "Punto assistenza",
    "opened_at": "Aperta il",
    "opened_date": "Aperta il",
    "clock_start_date": "Documentazione completa il",
    "available_date": "Sostitutivo disponibile il",
    "updated_at": "Aggiornata il",
    "documentation_received_at": "Documentazione ricevuta il",
    "replacement_available_at": "Sostitutivo disponibile il",
    "closed_at": "Chiusa il",
    "rejection_reason": "Motivo esito negativo",
    "replacement_model": "Modello sostitutivo",
    "enabled": "Abilitata",
    "assignee": "Assegnatario",
    "assignee_email": "Email assegnatario",
    "protection_state": "Protezione",
    "protection_end": "Protezione fino al",
    "enabled_changed_at": "Ultima modifica",
    "enabled_changed_by": "Modificata da",
    "changed_at": "Data modifica",
    "changed_by": "Modificata da",
    "enabled_before": "Prima",
    "enabled_after": "Dopo",
    "source": "Origine",
}
ENABLED_LABELS = {True: "✅ Abilitata", False: "❌ Non abilitata"}
CHANGE_SOURCE_LABELS = {"dashboard": "Dashboard", "export": "Export abilitazioni"}
DOCUMENT_LABELS = {
    "id_document": "Documento identità",
    "police_report": "Denuncia",
    "blocking_form": "Modulo blocco",
}


def count_label(count: int, singular: str, plural: str) -> str:
    """'1 pratica', '1.234 pratiche'."""
    return f"{format_number(count)} {singular if count == 1 else plural}"
