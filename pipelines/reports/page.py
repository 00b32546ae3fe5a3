"""The monthly report as one standalone page, from a Jinja2 template with autoescape."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from importlib.resources import files
from typing import Any

import plotly.graph_objects as go
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from pipelines.reports.charts import breakdown_chart, weekly_chart
from pipelines.reports.columns import (
    NUMERIC_KINDS,
    PAGE_AT_RISK_COLUMNS,
    PAGE_BREACH_COLUMNS,
    WEEK_COLUMNS,
    breakdown_columns,
)
from pipelines.reports.figures import (
    LONG_BREAKDOWNS,
    SHORT_BREAKDOWNS,
    ReportData,
    calendar_description,
    key_label,
    kpis,
    labelled,
)
from pipelines.vocabulary import NO_VALUE, italian_date, italian_number, italian_percent

TOP_ROWS_IN_PAGE = 10
TICKETS_IN_PAGE = 200


def cell(value: Any, kind: str) -> str:
    """A table cell's text: Italian numbers and dates; empty text and dates stay empty."""
    if value is None:
        return "" if kind in ("text", "date") else NO_VALUE
    if kind == "date":
        return italian_date(value)
    if kind == "int":
        return italian_number(value)
    if kind == "dec":
        return italian_number(value, 1)
    if kind == "pct":
        return italian_percent(value)
    return str(value)


@cache
def _environment() -> Environment:
    environment = Environment(
        loader=PackageLoader("pipelines.reports", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        keep_trailing_newline=True,
    )
    environment.filters.update(
        cell=cell, number=italian_number, percent=italian_percent, day=italian_date
    )
    return environment


def _chart(fig: go.Figure, first: bool) -> Markup:
    # plotly.js goes inline once, with the first chart: the page works offline
    return Markup('<div class="chart">{}</div>').format(Markup(fig.to_html(
        full_html=False,
        include_plotlyjs=first,
        config={"displayModeBar": False, "responsive": True},
    )))


def _worst(data: ReportData, dimension: str) -> list[dict[str, Any]]:
    """The rows with the most breaches, most first."""
    breached = (row for row in data.breakdowns[dimension] if row["breached"])
    return labelled(sorted(breached, key=lambda r: (-r["breached"], key_label(r)))[
        :TOP_ROWS_IN_PAGE
    ])


def render_html(data: ReportData) -> str:
    """The whole report as one self-contained page (styles and plotly.js inline)."""
    css = (files("pipelines.reports") / "templates" / "report.css").read_text(encoding="utf-8")
    return _environment().get_template("monthly_report.html.j2").render(
        data=data,
        css=Markup(css),
        kpis=kpis(data),
        charts={
            "weekly": _chart(weekly_chart(data), first=True),
            "channel": _chart(breakdown_chart(data, "channel", "Canale"), first=False),
            "region": _chart(breakdown_chart(data, "region", "Regione cliente"), first=False),
        },
        short_breakdowns=[
            (heading, labelled(data.breakdowns[dimension]))
            for dimension, heading in SHORT_BREAKDOWNS
        ],
        worst_breakdowns=[
            (heading, _worst(data, dimension)) for dimension, heading, _ in LONG_BREAKDOWNS
        ],
        numeric=NUMERIC_KINDS,
        week_columns=WEEK_COLUMNS,
        breakdown_columns=breakdown_columns,
        breach_columns=PAGE_BREACH_COLUMNS,
        at_risk_columns=PAGE_AT_RISK_COLUMNS,
        top_rows=TOP_ROWS_IN_PAGE,
        tickets_in_page=TICKETS_IN_PAGE,
        calendar=calendar_description(data.calendar),
        generated=datetime.now().strftime("%d/%m/%Y %H:%M"),
    )
