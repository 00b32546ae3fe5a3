"""Portfolio page: the customers in scope, their claims and SLA, and one customer in detail."""

from __future__ import annotations

import streamlit as st

from dashboard import charts, session, tables, views
from dashboard.access.data import ClaimFilters, list_claims, portfolio, sla_by_period, sla_summary
from dashboard.components import (
    as_of_date,
    cached_figure,
    deferred_download_buttons,
    metric,
    scoped,
)
from dashboard.i18n import PAGE_TITLES

principal = session.current_principal()
st.title(PAGE_TITLES["portfolio"])
as_of = as_of_date()
target = views.compliance_target()
customers = scoped(portfolio, principal, as_of)
window_start = views.twelve_months_before(as_of)

if customers.empty:
    st.info("Nessun cliente nel tuo portafoglio.")
    st.stop()

tiles = st.columns(5, border=True)
metric(tiles[0], "Clienti", len(customers))
metric(tiles[1], "Dispositivi coperti", customers["covered_devices"].sum())
metric(tiles[2], "Aperte a rischio", customers["open_at_risk"].sum())
metric(tiles[3], "Aperte violate", customers["open_breached"].sum())
metric(tiles[4], "In scadenza (90 gg)", customers["coverage_expiring_90_days"].sum())
st.caption(f"Pratiche e conformità degli ultimi 12 mesi (dal {window_start:%d/%m/%Y} al "
           f"{as_of:%d/%m/%Y}); clienti più critici per primi.")

search = st.text_input("Cerca cliente", placeholder="Ragione sociale o codice cliente",
                       key="portfolio_search", type="search", icon="🔎")
shown = views.portfolio_table(customers, search)
if shown.empty:
    st.info("Nessun cliente corrisponde alla ricerca.")
    st.stop()
st.dataframe(views.portfolio_display(shown, target), hide_index=True, key="portfolio_table",
             placeholder="–",
             column_config=views.portfolio_column_config())
deferred_download_buttons(shown, f"portafoglio_{as_of}", "portfolio")

st.divider()
names = dict(zip(shown["Codice cliente"], shown["Cliente"], strict=True))
code = st.selectbox("Dettaglio cliente", list(names), index=views.first_with_claims(shown),
                    format_func=lambda key: f"{names[key]} ({key})", key="portfolio_customer")
st.subheader(names[code])
one = {"as_of": as_of, "customer_code": code}
summary = scoped(sla_summary, principal, date_from=window_start, **one)
views.sla_tiles(summary, target, "negli ultimi 12 mesi")

periods = scoped(sla_by_period, principal, grain="month", date_from=window_start, **one)
if (periods["met"] + periods["breached"]).sum() == 0:
    if periods["claims"].sum() > 0:  # else the tiles already said there is nothing
        st.info("Nessuna pratica rispettata o violata negli ultimi 12 mesi.")
else:
    st.plotly_chart(
        cached_figure(charts.compliance_trend, periods, "month", target,
                      "Conformità per mese di scadenza"),
        key="customer_trend",
    )
open_claims = scoped(list_claims, principal,
                     ClaimFilters(customer_code=code, sla_states=("breached", "at_risk"),
                                  view="monitoring", limit=None), as_of)
st.markdown(f"**Pratiche aperte violate o a rischio ({len(open_claims)})**")
if open_claims.empty:
    st.success("Nessuna pratica aperta violata o a rischio.")
else:
    st.dataframe(tables.claims_table(open_claims), hide_index=True, key="customer_claims",
                 placeholder="–", column_config=tables.claims_columns(show_customer=False))
    deferred_download_buttons(tables.claims_export(open_claims), f"aperte_{code}_{as_of}",
                     "customer_claims")
