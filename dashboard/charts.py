"""Plotly figures of the SLA, portfolio and data-quality pages, in Italian formats."""

from __future__ import annotations

from datetime import date

import pandas as pd
import plotly.graph_objects as go

from dashboard.components import SLA_COLORS, style_figure
from dashboard.i18n import MONTHS, SLA_STATE_LABELS, count_label, format_percent

TARGET_COLOR = "#6a1b9a"
NEUTRAL_COLOR = "#90a4ae"
# One colour per export kind (and the entity a flag is about), the same in every chart.
SERIES_COLORS = {
    "Segnalazioni": "#1565c0",
    "Pratiche": "#1565c0",
    "Dispositivi": "#ef6c00",
    "Clienti": "#2e7d32",
    "Abilitazioni": "#6a1b9a",
    "Punti assistenza": "#00838f",
    "Utenti": "#8d6e63",
}
SMALL_COUNT = 10  # up to this many, a count axis ticks every whole number


def count_axis(largest: float) -> dict:
    """A count axis: whole-number ticks only (never 0, 0, 1, 1), Italian grouping."""
    if largest <= SMALL_COUNT:
        return {"tickmode": "linear", "tick0": 0, "dtick": 1, "tickformat": "d",
                "rangemode": "tozero"}
    return {"tickformat": ",d", "rangemode": "tozero"}


def claims_word(count: int) -> str:
    """'1 pratica', '3 pratiche': the words a chart's label or tooltip uses for a count."""
    return count_label(int(count), "pratica", "pratiche")


GRAIN_TITLES = {"week": "Settimana di scadenza (dal lunedì)", "month": "Mese di scadenza"}


def month_label(day: date) -> str:
    """date(2026, 8, 1) -> 'ago 2026'."""
    return f"{MONTHS[day.month - 1][:3]} {day.year}"


def period_label(start: date, grain: str) -> str:
    """The tick label of a period: 'ago 2026' for a month, '31/08' for an ISO week's Monday."""
    if grain == "month":
        return month_label(start)
    return f"{start:%d/%m}"


def _target_line(figure: go.Figure, target: float, vertical: bool = False) -> None:
    text = f"Obiettivo {format_percent(target, 0)}"
    line = {"color": TARGET_COLOR, "dash": "dash", "width": 2}
    if vertical:
        figure.add_vline(x=target, line=line, annotation_text=text,
                         annotation_position="top", annotation_font_color=TARGET_COLOR)
    else:
        figure.add_hline(y=target, line=line, annotation_text=text,
                         annotation_position="bottom right", annotation_font_color=TARGET_COLOR)


def compliance_trend(periods: pd.DataFrame, grain: str, target: float, title: str) -> go.Figure:
    """Compliance per period of due date (marts.sla_by_period rows), with the target line."""
    rows = periods[periods["met"] + periods["breached"] > 0]
    starts = [pd.Timestamp(value).date() for value in rows["period_start"]]
    labels = [period_label(start, grain) for start in starts]
    compliance = rows["compliance"].astype(float)
    below = compliance < target
    in_ratio = (rows["met"] + rows["breached"]).astype(int)
    figure = go.Figure(
        go.Scatter(
            x=labels,
            y=compliance,
            mode="lines+markers+text",
            name="Conformità",
            line={"color": SLA_COLORS["on_track"], "width": 2},
            marker={
                "size": 9,
                "color": [SLA_COLORS["breached"] if low else SLA_COLORS["met"] for low in below],
            },
            # how many claims each point stands for: a 66% of 3 claims is not a 66% of 300
            text=[str(count) for count in in_ratio],
            textposition="bottom center",
            textfont={"size": 10, "color": "#546e7a"},
            cliponaxis=False,
            customdata=list(zip(rows["period_label"], rows["met"], rows["breached"],
                                [claims_word(count) for count in in_ratio], strict=True)),
            hovertemplate=(
                "%{customdata[0]}<br>Conformità %{y:.1%} su %{customdata[3]}<br>"
                "Rispettate %{customdata[1]:,d} · Violate %{customdata[2]:,d}<extra></extra>"
            ),
        )
    )
    _target_line(figure, target)
    low = min([*compliance.dropna().tolist(), target]) if len(compliance) else target
    # the axis ends at 100%: no share is above it (markers at 100% are drawn unclipped)
    figure.update_yaxes(tickformat=".0%", range=[max(0.0, low - 0.08), 1.0])
    figure.add_annotation(text="Sotto ogni punto: pratiche rispettate + violate",
                          xref="paper", yref="paper", x=1, y=1.02, xanchor="right",
                          yanchor="bottom", showarrow=False,
                          font={"size": 10, "color": "#546e7a"})
    figure.update_xaxes(type="category")
    figure.update_layout(showlegend=False, height=360)
    return style_figure(figure, title, GRAIN_TITLES[grain], "Conformità SLA")


def compliance_by_value(breakdown: pd.DataFrame, target: float, dimension_label: str,
                        top: int = 15) -> go.Figure:
    """Compliance of the values with most claims in the ratio, worst at the top."""
    rows = breakdown[breakdown["met"] + breakdown["breached"] > 0]
    rows = rows.assign(in_ratio=rows["met"] + rows["breached"])
    rows = rows.nlargest(top, "in_ratio").sort_values("compliance", ascending=False)
    compliance = rows["compliance"].astype(float)
    figure = go.Figure(
        go.Bar(
            x=compliance,
            y=rows["display_label"],
            orientation="h",
            marker_color=[SLA_COLORS["breached"] if value < target else SLA_COLORS["met"]
                          for value in compliance],
            text=[format_percent(value) for value in compliance],
            textposition="auto",
            customdata=list(zip(rows["met"], rows["breached"],
                                [claims_word(count) for count in rows["in_ratio"]], strict=True)),
            hovertemplate=(
                "%{y}<br>Conformità %{x:.1%} su %{customdata[2]}<br>"
                "Rispettate %{customdata[0]:,d} · Violate %{customdata[1]:,d}<extra></extra>"
            ),
        )
    )
    _target_line(figure, target, vertical=True)
    figure.update_xaxes(tickformat=".0%", range=[0, 1.05])
    figure.update_yaxes(type="category", automargin=True)
    title = f"Conformità per {dimension_label.lower()}"
    if len(breakdown) > top:
        title += f" (i {top} valori con più pratiche)"
    figure.update_layout(showlegend=False, height=max(220, 90 + 30 * len(rows)))
    return style_figure(figure, title, "Conformità SLA", dimension_label)


def days_taken_histogram(distribution: pd.DataFrame, limit: int) -> go.Figure:
    """Claims by business days taken, met and breached stacked, with the SLA limit marked."""
    figure = go.Figure()
    for state in ("met", "breached"):
        rows = distribution[distribution["sla_state"] == state]
        figure.add_bar(
            x=rows["business_days_taken"],
            y=rows["claims"],
            name=SLA_STATE_LABELS[state],
            marker_color=SLA_COLORS[state],
            customdata=[claims_word(count) for count in rows["claims"]],
            hovertemplate=(
                "%{x} giorni lavorativi<br>%{customdata} " + SLA_STATE_LABELS[state].lower()
                + "<extra></extra>"
            ),
        )
    figure.add_vline(
        x=limit + 0.5, line={"color": TARGET_COLOR, "dash": "dash", "width": 2},
        annotation_text=f"Limite SLA: {limit} giorni lavorativi", annotation_position="top right",
        annotation_font_color=TARGET_COLOR,
    )
    figure.update_xaxes(dtick=1)
    largest = distribution.groupby("business_days_taken")["claims"].sum().max()
    figure.update_yaxes(**count_axis(0 if pd.isna(largest) else largest))
    figure.update_layout(barmode="stack", height=360,
                         legend={"orientation": "h", "y": 1.02, "x": 1, "xanchor": "right",
                                 "yanchor": "bottom", "traceorder": "normal"})
    return style_figure(figure, "Distribuzione dei giorni lavorativi impiegati",
                        "Giorni lavorativi impiegati (inizio SLA → sostitutivo disponibile)",
                        "Pratiche")


def horizontal_counts(frame: pd.DataFrame, label: str, value: str, colour: str | None,
                      title: str, x_title: str, y_title: str) -> go.Figure:
    """A horizontal bar per row (largest at the top), stacked by `colour` when given."""
    order = frame.groupby(label)[value].sum().sort_values().index.tolist()
    figure = go.Figure()
    groups = frame.groupby(colour, sort=False) if colour else [(None, frame)]
    for name, rows in groups:
        figure.add_bar(
            x=rows[value], y=rows[label], orientation="h", name=name or "",
            marker_color=SERIES_COLORS.get(name or "", NEUTRAL_COLOR),
            hovertemplate="%{y}<br>%{x:,d} righe<extra>" + (name or "") + "</extra>",
        )
    figure.update_yaxes(categoryorder="array", categoryarray=order, automargin=True)
    figure.update_xaxes(**count_axis(frame.groupby(label)[value].sum().max()))
    figure.update_layout(barmode="stack", showlegend=bool(colour),
                         height=max(280, 80 + 32 * len(order)),
                         legend={"orientation": "h", "y": 1.02, "x": 1, "xanchor": "right",
                                 "yanchor": "bottom"})
    return style_figure(figure, title, x_title, y_title)
