"""The figures of one month's SLA report, read once from the warehouse's marts."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb

from pipelines.config import settings
from pipelines.errors import CommandError
from pipelines.sqlfiles import named_query
from pipelines.vocabulary import (
    NOT_GIVEN,
    NOT_GIVEN_BY_DIMENSION,
    SLA_STATES,
    month_label,
)
from pipelines.warehouse import connect_read_only
from pipelines.warehouse.calendar import CalendarSettings, require_covered

# Breakdowns of the summary sheet and page: (dimension of marts.sla_breakdown, heading).
SHORT_BREAKDOWNS = (
    ("request_type", "Tipo richiesta"),
    ("channel", "Canale"),
    ("delivery_mode", "Modalità consegna"),
    ("region", "Regione cliente"),
    ("assistance_point_region", "Regione punto assistenza"),
)
# Long breakdowns get a sheet each in the workbook and their worst rows in the page.
LONG_BREAKDOWNS = (
    ("customer", "Cliente", "Per cliente"),
    ("assistance_point", "Punto assistenza", "Per punto assistenza"),
    ("device_model", "Modello dispositivo", "Per modello"),
)


class ReportError(CommandError):
    """The report cannot be written as asked; the message says why."""


@dataclass(frozen=True)
class ReportData:
    """Everything one month's report shows, read once from the warehouse."""

    month_start: date
    month_end: date
    as_of: date
    target: float
    calendar: CalendarSettings
    summary: dict[str, Any]
    weekly: list[dict[str, Any]]
    breakdowns: dict[str, list[dict[str, Any]]]
    breaches: list[dict[str, Any]]
    at_risk: list[dict[str, Any]]

    @property
    def month_label(self) -> str:
        return month_label(self.month_start.year, self.month_start.month)

    @property
    def title(self) -> str:
        return f"Report SLA — {self.month_label}"


def month_bounds(month: str) -> tuple[date, date]:
    """First and last day of a 'YYYY-MM' month."""
    try:
        start = date.fromisoformat(f"{month}-01")
    except ValueError as error:
        raise ReportError(f"not a month (YYYY-MM): {month!r}") from error
    if start.year == date.max.year and start.month == 12:
        # its last day is the calendar's last; the report's weeks and due dates run past it
        raise ReportError(f"month {month} is beyond the dates the report can count")
    following = date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return start, following - timedelta(days=1)


def _records(con: duckdb.DuckDBPyConnection, query: str, params: dict[str, Any]) -> list[dict]:
    cursor = con.execute(named_query(query), params)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def collect(
    db_path: Path, month: str, as_of: date, customers: Sequence[str] | None = None,
    connection: duckdb.DuckDBPyConnection | None = None,
) -> ReportData:
    """Read the month's figures: the claims whose due date falls in the month.

    `customers` limits every figure to those customers; None means every customer.
    `connection` reads them through a caller's connection to the warehouse (the
    dashboard's) rather than one of this call's own.
    """
    month_start, month_end = month_bounds(month)
    params = {
        "as_of": as_of,
        "customers": list(customers) if customers is not None else None,
        "date_from": month_start,
        "date_to": month_end,
    }
    with contextlib.ExitStack() as stack:
        con = connection or stack.enter_context(connect_read_only(db_path))
        calendar = require_covered(con, as_of)
        summary = _records(con, "sla_summary", params)[0]
        weekly = _records(con, "sla_by_period", {**params, "grain": "week"})
        breakdowns = {
            dimension: _records(con, "sla_breakdown", {**params, "dimension": dimension})
            for dimension, *_ in SHORT_BREAKDOWNS + LONG_BREAKDOWNS
        }
        tickets = {
            state: _records(con, "report_tickets", {**params, "state": state})
            for state in ("breached", "at_risk")
        }
    return ReportData(
        month_start=month_start,
        month_end=month_end,
        as_of=as_of,
        target=settings().sla.compliance_target,
        calendar=calendar,
        summary=summary,
        weekly=_month_weeks(weekly, month_start, month_end),
        breakdowns=breakdowns,
        breaches=tickets["breached"],
        at_risk=tickets["at_risk"],
    )


def _month_weeks(
    weekly: list[dict[str, Any]], month_start: date, month_end: date
) -> list[dict[str, Any]]:
    """Every ISO week that overlaps the month, empty ones too, cut to the month's days."""
    by_start = {row["period_start"]: row for row in weekly}
    empty = {key: 0 for key in ("claims", *SLA_STATES)}
    monday = month_start - timedelta(days=month_start.weekday())
    weeks = []
    while monday <= month_end:
        row = {**empty, "compliance": None, **by_start.get(monday, {})}
        iso_year, iso_week, _ = monday.isocalendar()
        row.update(
            period_start=monday,
            week=iso_week,
            week_label=f"{iso_year}-W{iso_week:02d}",
            first_day=max(monday, month_start),
            last_day=min(monday + timedelta(days=6), month_end),
        )
        weeks.append(row)
        monday += timedelta(days=7)
    return weeks


def calendar_description(calendar: CalendarSettings) -> str:
    text = "festività nazionali italiane"
    if calendar.province:
        text += f" e patrono della provincia {calendar.province}"
    return text


def kpis(data: ReportData) -> list[tuple[str, Any, str]]:
    """(label, value, kind) of the headline figures, kind: pct, int or dec."""
    summary = data.summary
    return [
        ("Conformità SLA", summary["compliance"], "pct"),
        ("Obiettivo", data.target, "pct"),
        ("Pratiche con scadenza nel mese", summary["claims"], "int"),
        ("Rispettate", summary["met"], "int"),
        ("Violate", summary["breached"], "int"),
        ("A rischio", summary["at_risk"], "int"),
        ("In tempo", summary["on_track"], "int"),
        ("In attesa documenti (per data apertura)", summary["pending_documentation"], "int"),
        ("Escluse", summary["excluded"], "int"),
        ("Giorni lavorativi impiegati (mediana)", summary["median_business_days_taken"], "dec"),
        ("Attesa documentazione, giorni lavorativi (mediana)",
         summary["median_documentation_wait_days"], "dec"),
    ]


def key_label(row: dict[str, Any]) -> str:
    return row["label"] or row["key"] or NOT_GIVEN_BY_DIMENSION.get(row["dimension"], NOT_GIVEN)


def labelled(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Breakdown rows with the label a reader sees in place of an empty one."""
    return [{**row, "label": key_label(row)} for row in rows]
