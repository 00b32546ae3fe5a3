"""Data-quality page: what each load read and kept, the quarantined rows and the flagged ones."""

from __future__ import annotations

import streamlit as st

from dashboard import charts, session, views
from dashboard.access import intake
from dashboard.access.data import data_quality
from dashboard.components import (
    as_of_date,
    cached_figure,
    deferred_download_buttons,
    metric,
    scoped,
)
from dashboard.display import italian_table, number_columns
from dashboard.i18n import PAGE_TITLES, REASON_LABELS, count_label, format_number

QUARANTINE_LIMIT = 5000

principal = session.current_principal()
st.title(PAGE_TITLES["data_quality"])
quality = scoped(data_quality, principal, quarantine_limit=QUARANTINE_LIMIT)
if quality is None:
    st.info("Pagina riservata al profilo Management.")
    st.stop()

log = views.load_log_table(quality)
tiles = st.columns(6, border=True)
metric(tiles[0], "File caricati", len(log))
metric(tiles[1], "Righe lette", log["Lette"].sum())
metric(tiles[2], "Caricate", log["Caricate"].sum())
metric(tiles[3], "Superate", log["Superate"].sum(),
       help="Valide ma più vecchie della versione corrente: restano nello storico.")
metric(tiles[4], "In quarantena", log["In quarantena"].sum())
metric(tiles[5], "Non quadrati", int((log["Quadratura"] != "✅").sum()),
       help="File in cui righe lette ≠ caricate + superate + in quarantena.")

st.subheader("Registro dei caricamenti")
st.caption("Per ogni file: righe lette = caricate + superate + in quarantena (✅ quando torna).")
st.dataframe(views.load_log_display(log), hide_index=True, key="load_log", placeholder="–",
             column_config=views.load_log_column_config())
deferred_download_buttons(log, "registro_caricamenti", "load_log")

st.subheader("Righe in quarantena")
reasons = views.reason_counts(quality)
if reasons.empty:
    st.success("Nessuna riga in quarantena.")
else:
    st.plotly_chart(
        cached_figure(charts.horizontal_counts, reasons, "Motivo", "Righe", "Tipo",
                      "Motivi di quarantena", "Righe in quarantena", "Motivo"),
        key="quarantine_reasons",
    )
    left, right = st.columns(2)
    files = left.multiselect("File", sorted(quality.quarantine["file_name"].unique()),
                             placeholder="Tutti i file", key="quarantine_files")
    codes = right.multiselect("Motivo", sorted(quality.quarantine_reasons["reason"].unique()),
                              format_func=lambda code: REASON_LABELS.get(code, code),
                              placeholder="Tutti i motivi", key="quarantine_reasons_filter")
    rows = views.quarantine_table(quality, files, codes)
    if len(quality.quarantine) >= QUARANTINE_LIMIT:
        st.caption(f"Sono mostrate le {format_number(QUARANTINE_LIMIT)} righe più recenti.")
    st.caption(f"{count_label(len(rows), 'riga', 'righe')}.")
    st.dataframe(rows, hide_index=True, key="quarantine", placeholder="–",
                 column_config={"Riga": st.column_config.NumberColumn(format="%d"),
                                "Valori letti": st.column_config.TextColumn(width="large")})
    deferred_download_buttons(rows, "righe_quarantena", "quarantine")

st.subheader("Righe segnalate")
st.caption("Righe valide ma incoerenti con altri dati: sono caricate e segnalate, mai scartate.")
flags = views.flag_table(quality)
if flags.empty:
    st.success("Nessuna riga segnalata.")
else:
    left, right = st.columns([3, 2])
    left.plotly_chart(
        cached_figure(charts.horizontal_counts, flags, "Segnalazione", "Righe", "Riferita a",
                      "Righe segnalate per tipo", "Righe", "Segnalazione"),
        key="flags_chart",
    )
    right.dataframe(italian_table(flags, counts=("Righe",)), hide_index=True, key="flags",
                    column_config=number_columns(("Righe",)))

st.subheader("Richieste non prese in carico")
late = intake.unacknowledged_requests(principal, as_of_date())
st.caption("Richieste aperte in Kasko Ops che nessuna esportazione delle segnalazioni riporta "
           f"dopo {intake.ACKNOWLEDGEMENT_BUSINESS_DAYS} giorni lavorativi dall'apertura.")
if late.empty:
    st.success("Nessuna richiesta in ritardo di presa in carico.", icon="✅")
else:
    st.warning(f"{count_label(len(late), 'richiesta', 'richieste')} non ancora prese in "
               "carico dal back office.", icon="⚠️")
    st.dataframe(late.rename(columns={
        "request_number": "Numero richiesta", "customer_code": "Codice cliente",
        "imei": "IMEI", "opened_at": "Data apertura", "opened_by": "Aperta da",
        "business_days_waited": "Giorni lavorativi di attesa"}),
        hide_index=True, key="unacknowledged", placeholder="–")
