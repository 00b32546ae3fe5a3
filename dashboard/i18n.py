"""Italian labels of the dashboard: every string a user reads, in one place."""

from __future__ import annotations

SLA_STATE_LABELS = {
    "breached": "Violato",
    "at_risk": "A rischio",
    "on_track": "In tempo",
    "pending_documentation": "In attesa documenti",
    "met": "Rispettato",
    "excluded": "Escluso",
}
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

REASON_LABELS = {
    "missing": "Valore obbligatorio mancante",
    "invalid_imei": "IMEI non valido",
    "invalid_nmu": "NMU non valido",
    "invalid_partita_iva": "Partita IVA non valida",
    "invalid_date": "Data non valida",
    "invalid_datetime": "Data e ora non valide",
    "invalid_boolean": "Valore Sì/No non valido",
    "invalid_province": "Provincia non valida",
    "unknown_value": "Valore non ammesso",
    "available_before_opened": "Disponibilità precedente all'apertura",
    "malformed_row": "Riga malformata",
}

PAGE_TITLES = {
    "monitoring": "Monitoraggio ticket",
    "sla": "SLA",
    "enablement": "Abilitazioni",
    "portfolio": "Portafoglio",
    "data_quality": "Qualità dati",
}

MONTHS = (
    "gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno",
    "luglio", "agosto", "settembre", "ottobre", "novembre", "dicembre",
)


def reason_label(reason: str) -> str:
    """'invalid_imei: IMEI = 3,52E+14' -> 'IMEI non valido: IMEI = 3,52E+14'."""
    code, _, detail = reason.partition(": ")
    return f"{REASON_LABELS.get(code, code)}: {detail}" if detail else REASON_LABELS.get(code, code)


def format_number(value: float | int | None, decimals: int = 0) -> str:
    """Italian number format: 12.345,6."""
    if value is None:
        return "–"
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def format_percent(share: float | None, decimals: int = 1) -> str:
    if share is None:
        return "–"
    return format_number(share * 100, decimals) + "%"
