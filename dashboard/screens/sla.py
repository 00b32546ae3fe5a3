"""SLA page: compliance against the target, trends, breakdowns, breaches and the monthly report."""

from __future__ import annotations

import streamlit as st

from dashboard import charts, session, tables, views
from dashboard.access.data import (
    BREAKDOWN_DIMENSIONS,
    days_taken_distribution,
    sla_breakdown,
    sla_by_period,
    sla_summary,
)
from dashboard.access.reports import may_have_monthly_report
from dashboard.components import (
    as_of_date,
    cached_figure,
    deferred_download_buttons,
    scoped,
)
from dashboard.i18n import DIMENSION_LABELS, PAGE_TITLES, format_number
from dashboard.report_download import report_downloads

principal = session.current_principal()
st.title(PAGE_TITLES["sla"])
as_of = as_of_date()
date_from, date_to = views.period_picker(as_of)
target = views.compliance_target()
period = {"as_of": as_of, "date_from": date_from, "date_to": date_to}

summary = scoped(sla_summary, principal, **period)
views.sla_tiles(summary, target)

st.subheader("Andamento della conformità")
weekly_tab, monthly_tab = st.tabs(["Per settimana", "Per mese"])
for tab, grain, title in (
    (weekly_tab, "week", "Conformità per settimana di scadenza"),
    (monthly_tab, "month", "Conformità per mese di scadenza"),
):
    periods = scoped(sla_by_period, principal, grain=grain, **period)
    if (periods["met"] + periods["breached"]).sum() == 0:
        tab.info("Nessuna pratica rispettata o violata nel periodo.")
    else:
        tab.plotly_chart(cached_figure(charts.compliance_trend, periods, grain, target, title),
                         key=f"trend_{grain}")


@st.fragment
def compliance_by_dimension() -> None:
    """The breakdown by one dimension: choosing another reruns this part of the page only."""
    st.subheader("Conformità per dimensione")
    dimension = st.selectbox(
        "Dimensione", [name for name in DIMENSION_LABELS if name in BREAKDOWN_DIMENSIONS],
        format_func=DIMENSION_LABELS.get, key="sla_dimension",
    )
    label = DIMENSION_LABELS[dimension]
    breakdown = views.with_display_label(
        scoped(sla_breakdown, principal, dimension, **period), dimension
    )
    if breakdown.empty:
        st.info("Nessuna pratica nel periodo.")
        return
    if (breakdown["met"] + breakdown["breached"]).sum() > 0:
        st.plotly_chart(cached_figure(charts.compliance_by_value, breakdown, target, label),
                        key="breakdown_chart")
    shown = views.breakdown_table(breakdown, label)
    st.dataframe(
        views.breakdown_display(shown, target), hide_index=True, key="breakdown_table",
        placeholder="–",
        column_config=views.breakdown_column_config(),
    )
    deferred_download_buttons(shown, f"sla_per_{dimension}_{date_from}_{date_to}", "breakdown")


compliance_by_dimension()

st.subheader("Giorni lavorativi impiegati")
distribution = scoped(days_taken_distribution, principal, **period)
if distribution.empty:
    st.info("Nessuna pratica rispettata o violata nel periodo.")
else:
    limit = int(summary["sla_business_days"].iloc[0])
    st.plotly_chart(cached_figure(charts.days_taken_histogram, distribution, limit),
                    key="days_taken")

st.subheader("Pratiche da seguire")
# claims to follow are those still open: a breach already delivered is in the figures above
breaches = views.claims_due_in(principal, ("breached",), as_of, date_from, date_to,
                               still_open=True)
at_risk = views.claims_due_in(principal, ("at_risk",), as_of, None, None, still_open=True)
breaches_tab, at_risk_tab = st.tabs([
    f"Aperte e violate ({format_number(len(breaches))})",
    f"A rischio alla data ({format_number(len(at_risk))})",
])
for tab, rows, stem, caption in (
    (breaches_tab, breaches, "violazioni_aperte",
     "Pratiche ancora aperte, con scadenza nel periodo e SLA violato: le più in ritardo per "
     "prime. Le violazioni già consegnate o chiuse sono nei conteggi sopra."),
    (at_risk_tab, at_risk, "a_rischio",
     "Tutte le pratiche aperte con scadenza oggi o il prossimo giorno lavorativo, "
     "anche oltre la fine del periodo."),
):
    with tab:
        st.caption(caption)
        if rows.empty:
            st.success("Nessuna pratica.")
            continue
        st.dataframe(tables.claims_table(rows), hide_index=True, key=f"{stem}_table",
                     placeholder="–",
                     column_config=tables.claims_columns(not principal.is_customer_side))
        deferred_download_buttons(tables.claims_export(rows), f"{stem}_{as_of}", stem)

if may_have_monthly_report(principal):  # the report covers every customer: Management only
    st.subheader("Report mensile")
    st.caption("Il report SLA del mese scelto (tutti i clienti), calcolato alla data di "
               "situazione: Excel per l'analisi, HTML per la stampa.")
    report_downloads(principal, as_of)
