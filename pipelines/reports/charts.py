"""The report page's charts: weekly compliance against the target, breakdowns by SLA state."""

from __future__ import annotations

import plotly.graph_objects as go

from pipelines.reports.figures import ReportData, key_label
from pipelines.vocabulary import (
    SLA_STATE_COLOURS,
    SLA_STATE_COUNT_LABELS,
    SLA_STATES,
    italian_percent,
)


def _layout(fig: go.Figure, title: str, height: int = 360) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0, "xanchor": "left", "font": {"size": 15}},
        height=height,
        margin={"l": 60, "r": 30, "t": 50, "b": 50},
        separators=",.",  # Italian: decimal comma, thousands dot
        plot_bgcolor="#ffffff",
        paper_bgcolor="#ffffff",
        font={"family": "Segoe UI, Roboto, Arial, sans-serif", "size": 12, "color": "#1d2433"},
        legend={"orientation": "h", "y": -0.18, "x": 0},
    )
    fig.update_xaxes(showgrid=False, linecolor="#9aa4b2")
    fig.update_yaxes(gridcolor="#e6e9ef", zeroline=False)
    return fig


def weekly_chart(data: ReportData) -> go.Figure:
    """Compliance by ISO week of the due date, with the target as a line."""
    labels = [
        f"Sett. {w['week']}<br>{w['first_day']:%d/%m}–{w['last_day']:%d/%m}" for w in data.weekly
    ]
    compliance = [w["compliance"] for w in data.weekly]
    colours = [
        "#bdbdbd" if c is None else ("#2e7d32" if c >= data.target else "#c62828")
        for c in compliance
    ]
    fig = go.Figure(
        go.Bar(
            x=labels,
            y=compliance,
            marker_color=colours,
            name="Conformità",
            text=[italian_percent(c) if c is not None else "" for c in compliance],
            textposition="outside",
            customdata=[[w["met"], w["breached"]] for w in data.weekly],
            hovertemplate="%{x}<br>Conformità %{y:.1%}<br>Rispettate %{customdata[0]}"
            " · Violate %{customdata[1]}<extra></extra>",
        )
    )
    fig.add_hline(
        y=data.target,
        line={"color": "#1f3864", "dash": "dash", "width": 2},
        annotation={"text": f"Obiettivo {italian_percent(data.target)}", "font": {"size": 12}},
        annotation_position="top left",
    )
    fig.update_yaxes(tickformat=".0%", range=[0, 1.15], title="Conformità")
    fig.update_layout(showlegend=False)
    return _layout(fig, "Conformità per settimana di scadenza", height=320)


def breakdown_chart(data: ReportData, dimension: str, heading: str) -> go.Figure:
    """Claims by SLA state for each value of a dimension, as stacked horizontal bars."""
    records = sorted(data.breakdowns[dimension], key=lambda r: r["claims"])
    labels = [f"{key_label(r)} · {italian_percent(r['compliance'])}" for r in records]
    fig = go.Figure()
    for state in SLA_STATES:
        fig.add_trace(
            go.Bar(
                y=labels,
                x=[r[state] for r in records],
                name=SLA_STATE_COUNT_LABELS[state],
                orientation="h",
                marker_color=SLA_STATE_COLOURS[state],
                hovertemplate=(
                    "%{y}: %{x} " + SLA_STATE_COUNT_LABELS[state].lower() + "<extra></extra>"
                ),
            )
        )
    height = max(300, 150 + 34 * len(records))
    fig = _layout(fig, f"Pratiche per {heading.lower()} e stato SLA · conformità", height=height)
    fig.update_layout(
        barmode="stack",
        legend={"orientation": "h", "y": -0.12, "x": 0, "yanchor": "top",
                "traceorder": "normal"},
        margin={"l": 10, "r": 20, "t": 50, "b": 40},
    )
    fig.update_yaxes(automargin=True)
    fig.update_xaxes(rangemode="tozero", tickformat=",d")
    return fig
