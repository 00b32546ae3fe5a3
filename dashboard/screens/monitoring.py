"""Monitoraggio ticket: claims in scope by urgency, or the whole history, and one claim's detail."""

from __future__ import annotations

import zlib
from dataclasses import replace
from typing import get_args

import streamlit as st

from dashboard import session, tables
from dashboard.access import data
from dashboard.claim_detail_view import show_claim_detail
from dashboard.components import as_of_date, deferred_download_buttons, scoped
from dashboard.i18n import (
    PAGE_TITLES,
    SLA_STATE_LABELS,
    VIEW_LABELS,
    count_label,
    format_number,
)
from dashboard.tables import claims_columns, claims_export, claims_table, fitted_height
from pipelines import contract

URL = "query-params"  # every filter lives in the page's address, so a view can be shared
CLOSED_DETAIL = "claim_detail_closed"  # the claim whose detail dialog was closed

principal = session.current_principal()
if principal is None:
    st.stop()

st.title(PAGE_TITLES["monitoring"], anchor=False)
as_of = as_of_date()
customers = scoped(data.customers_in_scope, principal)
if principal.is_employee:
    if customers.empty:  # a Dipendente's scope is their line, only while it is enabled
        st.warning(f"La tua linea {principal.nmu} non è abilitata ad aprire né a seguire "
                   "pratiche. Chiedi al Mandatario o al Rappresentante Legale della tua "
                   "azienda di abilitarla.", icon="🔒")
        st.stop()
    st.caption(f"Le pratiche della tua linea {principal.nmu}, finché è abilitata.")
names = dict(zip(customers["customer_code"], customers["company_name"], strict=True))

with st.container(border=True):
    view_column, number_column, imei_column, nmu_column, customer_column = st.columns(
        [1.3, 1, 1, 1, 1.4], vertical_alignment="bottom"
    )
    view = view_column.segmented_control(
        "Vista", list(VIEW_LABELS), format_func=VIEW_LABELS.get, default="monitoring",
        required=True, key="vista", bind=URL, width="stretch",
        help="Monitoraggio: pratiche aperte, senza «Non accolta» e «KO tecnico». "
             "Storico: tutte le pratiche, in ogni stato.",
    )
    request_number = number_column.text_input(
        "Numero richiesta", key="numero", bind=URL, placeholder="KA-2026-0001234",
        help="Anche solo una parte. Il numero completo apre il dettaglio della pratica.",
    )
    if principal.may_search_imei:
        imei = imei_column.text_input("IMEI", key="imei", bind=URL, placeholder="15 cifre",
                                      help="Anche solo una parte dell'IMEI.")
    else:
        imei = imei_column.text_input(
            "IMEI completo", key="imei", bind=URL, placeholder="15 cifre", max_chars=20,
            help="Inserisci l'IMEI intero (15 cifre) del tuo dispositivo: "
                 "una parte dell'IMEI non trova nulla.",
        )
    nmu = None  # a Dipendente sees their own line only
    if not principal.is_employee:
        nmu = nmu_column.text_input("Linea (NMU)", key="nmu", bind=URL,
                                    placeholder="3xx xxx xxxx",
                                    help="Anche solo una parte del numero.")
    customer = None
    if len(names) > 1:
        customer = customer_column.selectbox(
            "Cliente", list(names), index=None, format_func=lambda code: f"{names[code]} ({code})",
            placeholder="Tutti i clienti", key="cliente", bind=URL,
        )
    type_column, status_column, channel_column, mode_column, sla_column, opened_column = (
        st.columns(6)
    )
    request_types = type_column.multiselect(
        "Tipo richiesta", get_args(contract.RequestType), key="tipo", bind=URL, placeholder="Tutti"
    )
    statuses = status_column.multiselect(
        "Stato", get_args(contract.ClaimStatus), key="stato", bind=URL, placeholder="Tutti"
    )
    channels = channel_column.multiselect(
        "Canale", get_args(contract.Channel), key="canale", bind=URL, placeholder="Tutti"
    )
    delivery_modes = mode_column.multiselect(
        "Modalità consegna", get_args(contract.DeliveryMode), key="consegna", bind=URL,
        placeholder="Tutte",
    )
    sla_states = sla_column.multiselect(
        "Stato SLA", list(SLA_STATE_LABELS), format_func=SLA_STATE_LABELS.get, key="sla",
        bind=URL, placeholder="Tutti",
    )
    opened = opened_column.date_input(
        "Aperte tra", value=(), format="DD/MM/YYYY", key="aperte", bind=URL,
        help="Data di apertura, estremi inclusi.",
    )

filters = data.ClaimFilters(
    imei=imei, nmu=nmu, request_number=request_number, customer_code=customer,
    request_types=tuple(request_types), statuses=tuple(statuses), channels=tuple(channels),
    delivery_modes=tuple(delivery_modes), sla_states=tuple(sla_states),
    opened_from=opened[0] if len(opened) > 0 else None,
    opened_to=opened[1] if len(opened) > 1 else None,
    view=view, sort="urgency" if view == "monitoring" else "newest", limit=tables.SHOWN_ROWS + 1,
)
claims = scoped(data.list_claims, principal, filters, as_of)
more = len(claims) > tables.SHOWN_ROWS
claims = claims.head(tables.SHOWN_ROWS)
filtered = any((request_number, imei, nmu, customer, request_types, statuses, channels,
                delivery_modes, sla_states, opened))

selected = None
if claims.empty:
    if view == "monitoring" and not filtered:
        st.info("Nessuna pratica aperta da monitorare. Le pratiche chiuse sono nello **Storico**.",
                icon="✅")
    elif not principal.may_search_imei and imei:
        st.info("Nessuna pratica per questo IMEI: controlla di averlo scritto per intero.",
                icon="🔍")
    else:
        st.info("Nessuna pratica corrisponde ai filtri.", icon="🔍")
else:
    counted = count_label(len(claims), "pratica", "pratiche")
    order = "più urgenti" if view == "monitoring" else "più recenti"
    st.caption(
        f"Più di {counted}: mostrate le {format_number(tables.SHOWN_ROWS)} {order}; "
        "i download contengono tutte le pratiche che corrispondono ai filtri."
        if more else f"{counted} · dalle {order} · seleziona una riga per il dettaglio"
    )
    event = st.dataframe(
        claims_table(claims), hide_index=True, width="stretch", placeholder="",
        height=fitted_height(len(claims)),
        column_config=claims_columns(show_customer=len(names) > 1),
        on_select="rerun", selection_mode="single-row",
        # a new list starts with no row selected: the key follows the filters
        key=f"claims_{zlib.crc32(repr((filters, as_of)).encode()):08x}",
    )
    every_row = replace(filters, limit=None)
    deferred_download_buttons(
        (lambda: claims_export(scoped(data.list_claims, principal, every_row, as_of)))
        if more else claims_export(claims),
        f"pratiche_{VIEW_LABELS[view].lower()}_{as_of:%Y-%m-%d}", key="claims",
        large=more, version=(filters, as_of),
    )
    if event.selection.rows:
        selected = claims["request_number"].iloc[event.selection.rows[0]]
    elif len(claims) == 1:
        selected = claims["request_number"].iloc[0]

typed = (request_number or "").strip()
if selected is None and typed:
    # a whole request number opens its claim, whichever view the list is in
    selected = next((n for n in claims["request_number"] if n.lower() == typed.lower()), typed)
if selected is not None:
    detail = scoped(data.claim_detail, principal, selected, as_of)
    # a dialog opens where the eye is, whatever the scroll position of the list; once
    # closed it stays closed until another claim is chosen
    if detail is not None and st.session_state.get(CLOSED_DETAIL) != selected:
        st.dialog(f"Pratica {detail.claim['request_number']}", width="large",
                  on_dismiss=lambda: st.session_state.update({CLOSED_DETAIL: selected}))(
            show_claim_detail)(detail)
    elif detail is None:
        st.session_state.pop(CLOSED_DETAIL, None)
