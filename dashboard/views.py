"""Pieces the SLA, portfolio and data-quality pages share: period, KPI tiles, tables."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pandas as pd
import streamlit as st

from dashboard.access.data import ClaimFilters, DataQuality, list_claims
from dashboard.access.principal import Principal
from dashboard.components import DATE_FORMAT, DATETIME_FORMAT, scoped
from dashboard.display import italian_table, number_columns
from dashboard.i18n import (
    FLAG_ENTITY_LABELS,
    FLAG_LABELS,
    KIND_LABELS,
    NOT_GIVEN,
    NOT_GIVEN_BY_DIMENSION,
    REASON_LABELS,
    count_label,
    format_number,
    format_percent,
    reason_label,
)
from pipelines.config import settings

PERIOD_MONTHS_BACK = 3  # the default period: the last three full months and the current one


# ---------------------------------------------------------------- periods


def first_of_month(day: date, months_back: int = 0) -> date:
    """The first day of the month `months_back` months before the month of `day`."""
    index = day.year * 12 + day.month - 1 - months_back
    return date(index // 12, index % 12 + 1, 1)


def last_of_month(day: date) -> date:
    return first_of_month(day, -1) - timedelta(days=1)


def default_period(as_of: date) -> tuple[date, date]:
    """The last three full months and the current one, as of a date."""
    return first_of_month(as_of, PERIOD_MONTHS_BACK), last_of_month(as_of)


def period_picker(as_of: date, key: str = "sla_period") -> tuple[date, date]:
    """A range of due dates; stops the page while only the first day is chosen."""
    chosen = st.date_input(
        "Periodo (data di scadenza SLA)", value=default_period(as_of), format="DD/MM/YYYY",
        key=key, help="Una pratica appartiene al periodo della sua scadenza SLA; le pratiche "
        "in attesa di documenti a quello della data di apertura.",
    )
    if not isinstance(chosen, tuple | list) or len(chosen) < 2:
        st.info("Scegli anche l'ultimo giorno del periodo.")
        st.stop()
    return chosen[0], chosen[1]


def twelve_months_before(as_of: date) -> date:
    """The first day of the portfolio's 12-month window ending on `as_of`."""
    return (pd.Timestamp(as_of) - pd.DateOffset(months=12)).date() + timedelta(days=1)


def compliance_target() -> float:
    return settings().sla.compliance_target


# ---------------------------------------------------------------- tiles


def _days(value: Any) -> str:
    """A median of business days: '3' or '2,5'."""
    if value is None or pd.isna(value):
        return "–"
    return format_number(value, 0 if float(value).is_integer() else 1)


def _count(value: Any) -> str:
    return "–" if value is None or pd.isna(value) else format_number(int(value))


def compliance_delta(compliance: float | None, target: float) -> str | None:
    """'+1,2 pp' / '-3,4 pp': percentage points against the target."""
    if compliance is None or pd.isna(compliance):
        return None
    points = (compliance - target) * 100
    return ("-" if points < 0 else "+") + format_number(abs(points), 1) + " pp"


def sla_tiles(summary: pd.DataFrame, target: float, period_words: str = "nel periodo") -> None:
    """The KPI tiles of marts.sla_summary's one row; an info box when nothing is due."""
    row = summary.iloc[0] if not summary.empty else None
    if row is None or not row["claims"]:
        st.info(f"Nessuna pratica con scadenza {period_words}.")
        return
    compliance = None if pd.isna(row["compliance"]) else float(row["compliance"])
    first = st.columns(4, border=True)
    first[0].metric(
        "Conformità SLA", format_percent(compliance), delta=compliance_delta(compliance, target),
        delta_description=f"obiettivo {format_percent(target, 0)}",
        help="Rispettate / (rispettate + violate), per data di scadenza SLA.",
    )
    first[1].metric("Rispettate", _count(row["met"]),
                    help="Sostitutivo disponibile entro la scadenza SLA.")
    first[2].metric("Violate", _count(row["breached"]),
                    help="Sostitutivo disponibile dopo la scadenza, o ancora atteso a "
                    "scadenza passata.")
    first[3].metric("A rischio", _count(row["at_risk"]),
                    help="Aperte, con scadenza oggi o il prossimo giorno lavorativo.")
    second = st.columns(4, border=True)
    second[0].metric("Pratiche", _count(row["claims"]),
                     help=f"In tempo {_count(row['on_track'])}, escluse {_count(row['excluded'])} "
                     "(non accolte, KO tecnico, annullate).")
    second[1].metric("In attesa documenti", _count(row["pending_documentation"]),
                     help="Documentazione incompleta: l'SLA non è ancora partito.")
    second[2].metric("Mediana gg lav. impiegati",
                     _days(row["median_business_days_taken"]),
                     help="Dall'inizio SLA alla disponibilità del sostitutivo "
                     "(pratiche rispettate e violate).")
    second[3].metric("Mediana attesa doc.", _days(row["median_documentation_wait_days"]),
                     help="Mediana dei giorni lavorativi dall'apertura alla documentazione "
                     "completa.")
    st.caption(
        f"{count_label(int(row['claims']), 'pratica', 'pratiche')} {period_words}: "
        f"{_count(row['on_track'])} in tempo, {_count(row['excluded'])} escluse. "
        f"SLA di {row['sla_business_days']} giorni lavorativi, obiettivo "
        f"{format_percent(target, 0)}."
    )


# ---------------------------------------------------------------- claims of a period


def total(summary: pd.DataFrame, column: str) -> int:
    """A count from the one-row summary (0 when there is no row)."""
    return 0 if summary.empty else int(summary[column].iloc[0] or 0)


def claims_due_in(principal: Principal, states: tuple[str, ...], as_of: date,
                  date_from: date | None, date_to: date | None,
                  customer_code: str | None = None, limit: int = 1000,
                  still_open: bool = False) -> pd.DataFrame:
    """The claims in scope in these SLA states whose due date is in [date_from, date_to];
    with still_open, only those the monitoring view follows (not delivered or closed)."""
    filters = ClaimFilters(sla_states=states, due_from=date_from, due_to=date_to,
                           customer_code=customer_code, limit=limit,
                           view="monitoring" if still_open else "history")
    return scoped(list_claims, principal, filters, as_of)


# ---------------------------------------------------------------- breakdowns


BREAKDOWN_COLUMNS = {
    "display_label": "Valore",
    "claims": "Pratiche",
    "met": "Rispettate",
    "breached": "Violate",
    "compliance": "Conformità",
    "at_risk": "A rischio",
    "on_track": "In tempo",
    "pending_documentation": "In attesa documenti",
    "excluded": "Escluse",
    "median_business_days_taken": "Mediana giorni lav.",
    "median_documentation_wait_days": "Mediana attesa documenti",
}


def with_display_label(breakdown: pd.DataFrame, dimension: str) -> pd.DataFrame:
    """The breakdown with display_label: the label, else the key, else 'not given'."""
    missing = NOT_GIVEN_BY_DIMENSION.get(dimension, NOT_GIVEN)
    label = breakdown["label"].fillna(breakdown["key"]).fillna(missing)
    return breakdown.assign(display_label=label)


def breakdown_table(breakdown: pd.DataFrame, dimension_label: str) -> pd.DataFrame:
    shown = breakdown[list(BREAKDOWN_COLUMNS)].rename(columns=BREAKDOWN_COLUMNS)
    return shown.rename(columns={"Valore": dimension_label})


BREAKDOWN_COUNTS = ("Pratiche", "Rispettate", "Violate", "A rischio", "In tempo",
                    "In attesa documenti", "Escluse")
BREAKDOWN_MEDIANS = ("Mediana giorni lav.", "Mediana attesa documenti")
COMPLIANCE_HELP = "Rispettate / (rispettate + violate); 🟢 all'obiettivo o sopra, 🔴 sotto."


def breakdown_display(shown: pd.DataFrame, target: float) -> pd.DataFrame:
    """The breakdown table with its figures in Italian and compliance against the target."""
    table = italian_table(shown, counts=BREAKDOWN_COUNTS, shares=("Conformità",), target=target)
    for name in BREAKDOWN_MEDIANS:
        table[name] = shown[name].map(_days)
    return table


def breakdown_column_config() -> dict[str, Any]:
    config = number_columns(BREAKDOWN_COUNTS + BREAKDOWN_MEDIANS)
    config["Conformità"] = st.column_config.TextColumn(help=COMPLIANCE_HELP, alignment="right")
    return config


# ---------------------------------------------------------------- portfolio


# The figures people compare come first: at 1280 pixels they are all in view.
PORTFOLIO_COLUMNS = {
    "company_name": "Cliente",
    "compliance": "Conformità 12 mesi",
    "open_breached": "Aperte violate",
    "open_at_risk": "Aperte a rischio",
    "claims_12_months": "Pratiche 12 mesi",
    "claims_per_100_devices": "Pratiche ogni 100 disp.",
    "covered_devices": "Dispositivi coperti",
    "coverage_expiring_90_days": "In scadenza 90 gg",
    "customer_code": "Codice cliente",
    "segment": "Segmento",
    "region": "Regione",
    "account_manager": "Account manager",
}


def portfolio_table(portfolio: pd.DataFrame, search: str | None) -> pd.DataFrame:
    """The portfolio as shown: Italian headers; rows whose name or code contains `search`."""
    rows = portfolio
    text = (search or "").strip().lower()
    if text:
        found = (rows["company_name"].fillna("").str.lower().str.contains(text, regex=False)
                 | rows["customer_code"].str.lower().str.contains(text, regex=False))
        rows = rows[found]
    return rows[list(PORTFOLIO_COLUMNS)].rename(columns=PORTFOLIO_COLUMNS).reset_index(drop=True)


def first_with_claims(shown: pd.DataFrame) -> int:
    """The row of the most pressing customer with claims in the last 12 months (else the first)."""
    active = (shown["Pratiche 12 mesi"] > 0).to_numpy().nonzero()[0]
    return int(active[0]) if len(active) else 0


PORTFOLIO_COUNTS = ("Aperte violate", "Aperte a rischio", "Pratiche 12 mesi",
                    "Dispositivi coperti", "In scadenza 90 gg")


def portfolio_display(shown: pd.DataFrame, target: float) -> pd.DataFrame:
    return italian_table(shown, counts=PORTFOLIO_COUNTS,
                         decimals={"Pratiche ogni 100 disp.": 1},
                         shares=("Conformità 12 mesi",), target=target)


def portfolio_column_config() -> dict[str, Any]:
    config = number_columns(PORTFOLIO_COUNTS + ("Pratiche ogni 100 disp.",), help={
        "Pratiche ogni 100 disp.": "Pratiche aperte negli ultimi 12 mesi per 100 dispositivi "
                                   "coperti",
        "In scadenza 90 gg": "Dispositivi con protezione Attiva che scade entro 90 giorni",
    })
    config["Conformità 12 mesi"] = st.column_config.TextColumn(help=COMPLIANCE_HELP,
                                                               alignment="right")
    config["Cliente"] = st.column_config.TextColumn(pinned=True, width=220)
    return config


# ---------------------------------------------------------------- data quality


def load_log_table(quality: DataQuality) -> pd.DataFrame:
    """One row per loaded file with the reconciliation read = loaded + superseded + quarantined."""
    log = quality.load_log
    accounted = log["loaded_rows"] + log["superseded_rows"] + log["quarantined_rows"]
    return pd.DataFrame({
        "File": log["file_name"],
        "Tipo": log["kind"].map(KIND_LABELS).fillna(log["kind"]),
        "Formato": log["file_format"].str.upper(),
        "Data export": log["file_date"].dt.date,
        "Lette": log["read_rows"],
        "Caricate": log["loaded_rows"],
        "Superate": log["superseded_rows"],
        "In quarantena": log["quarantined_rows"],
        "Quadratura": (log["read_rows"] == accounted).map({True: "✅", False: "❌"}),
        "Caricato il": log["started_at"],
    })


LOAD_LOG_COUNTS = ("Lette", "Caricate", "Superate", "In quarantena")


def load_log_display(log: pd.DataFrame) -> pd.DataFrame:
    return italian_table(log, counts=LOAD_LOG_COUNTS)


def load_log_column_config() -> dict[str, Any]:
    config = number_columns(LOAD_LOG_COUNTS)
    config["Data export"] = st.column_config.DateColumn(format=DATE_FORMAT)
    config["Caricato il"] = st.column_config.DatetimeColumn(format=DATETIME_FORMAT)
    config["Quadratura"] = st.column_config.TextColumn(
        help="Lette = caricate + superate + in quarantena", alignment="center")
    return config


def quarantine_table(quality: DataQuality, files: list[str], reasons: list[str]) -> pd.DataFrame:
    """Quarantined rows, Italian reasons, kept when their file and any reason code are chosen."""
    rows = quality.quarantine
    codes = rows["reasons"].map(lambda items: {str(item).partition(": ")[0] for item in items})
    keep = pd.Series(True, index=rows.index)
    if files:
        keep &= rows["file_name"].isin(files)
    if reasons:
        keep &= codes.map(lambda found: bool(found & set(reasons)))
    rows = rows[keep]
    return pd.DataFrame({
        "File": rows["file_name"],
        "Tipo": rows["kind"].map(KIND_LABELS).fillna(rows["kind"]),
        "Riga": rows["line"],
        "Motivi": rows["reasons"].map(lambda items: "; ".join(reason_label(str(i)) for i in items)),
        "Valori letti": rows["raw_values"],
    }).reset_index(drop=True)


def reason_counts(quality: DataQuality) -> pd.DataFrame:
    reasons = quality.quarantine_reasons
    return pd.DataFrame({
        "Motivo": reasons["reason"].map(REASON_LABELS).fillna(reasons["reason"]),
        "Tipo": reasons["kind"].map(KIND_LABELS).fillna(reasons["kind"]),
        "Righe": reasons["rows"],
    })


def flag_table(quality: DataQuality) -> pd.DataFrame:
    flags = quality.flag_counts
    return pd.DataFrame({
        "Segnalazione": flags["flag"].map(FLAG_LABELS).fillna(flags["flag"]),
        "Riferita a": flags["entity"].map(FLAG_ENTITY_LABELS).fillna(flags["entity"]),
        "Righe": flags["rows"],
    }).sort_values("Righe", ascending=False, ignore_index=True)
