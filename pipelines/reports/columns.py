"""The report's tables: which record key each column shows, its Italian header, kind and width."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    """One column of a report table: the record's key, its Italian header, kind and width."""

    key: str
    header: str
    kind: str  # text, date, int, pct, dec
    width: float


NUMERIC_KINDS = frozenset({"int", "dec", "pct"})

# How many claims of a period or group are in each SLA state, compliance among them.
STATE_COUNT_COLUMNS = (
    Column("claims", "Pratiche", "int", 10),
    Column("met", "Rispettate", "int", 11),
    Column("breached", "Violate", "int", 10),
    Column("compliance", "Conformità", "pct", 11),
    Column("at_risk", "A rischio", "int", 10),
    Column("on_track", "In tempo", "int", 10),
    Column("pending_documentation", "In attesa documenti", "int", 12),
    Column("excluded", "Escluse", "int", 10),
)
WEEK_COLUMNS = (
    Column("week_label", "Settimana", "text", 11),
    Column("first_day", "Dal", "date", 11),
    Column("last_day", "Al", "date", 11),
    *STATE_COUNT_COLUMNS,
)


def breakdown_columns(heading: str) -> tuple[Column, ...]:
    return (
        Column("label", heading, "text", 34),
        *STATE_COUNT_COLUMNS,
        Column("median_business_days_taken", "Giorni impiegati (mediana)", "dec", 14),
    )


TICKET_COLUMNS_COMMON = (
    Column("request_number", "Numero richiesta", "text", 16),
    Column("customer_code", "Codice cliente", "text", 13),
    Column("company_name", "Ragione sociale", "text", 24),
    Column("request_type", "Tipo richiesta", "text", 23),
    Column("channel", "Canale", "text", 12),
    Column("delivery_mode", "Modalità consegna", "text", 16),
    Column("assistance_point", "Punto assistenza", "text", 22),
    Column("imei", "IMEI", "text", 17),
    Column("device", "Dispositivo", "text", 20),
    Column("status", "Stato", "text", 18),
    Column("opened_date", "Data apertura", "date", 12),
    Column("clock_start_date", "Ricezione documentazione", "date", 15),
    Column("due_date", "Scadenza SLA", "date", 12),
)
BREACH_COLUMNS = TICKET_COLUMNS_COMMON + (
    Column("available_date", "Disponibilità sostitutivo", "date", 14),
    Column("business_days_taken", "Giorni lavorativi impiegati", "int", 13),
    Column("business_days_late", "Giorni lavorativi di ritardo", "int", 13),
)
AT_RISK_COLUMNS = TICKET_COLUMNS_COMMON + (
    Column("business_days_remaining", "Giorni lavorativi rimanenti", "int", 13),
)
# The page is narrower than a sheet: the lists keep the columns a reader acts on.
PAGE_TICKET_KEYS = (
    "request_number", "company_name", "request_type", "assistance_point", "device", "status",
    "opened_date", "clock_start_date", "due_date", "available_date", "business_days_taken",
    "business_days_late", "business_days_remaining",
)
PAGE_BREACH_COLUMNS = tuple(c for c in BREACH_COLUMNS if c.key in PAGE_TICKET_KEYS)
PAGE_AT_RISK_COLUMNS = tuple(c for c in AT_RISK_COLUMNS if c.key in PAGE_TICKET_KEYS)
