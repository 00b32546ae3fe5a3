"""Richiedi assistenza: open a claim for a device with active protection."""

from __future__ import annotations

import streamlit as st

from dashboard import session
from dashboard.access import data, intake
from dashboard.components import scoped
from dashboard.i18n import PAGE_TITLES
from dashboard.intake_widgets import (
    blocking_form_download,
    claim_link,
    confirmation,
    device_label,
    upload_with_request,
)

principal = session.current_principal()
if principal is None:
    st.stop()
st.title(PAGE_TITLES["intake"], anchor=False)
if not intake.may_open_claims(principal):
    st.info("L'apertura delle pratiche è riservata ai profili dei clienti.", icon="🔒")
    st.stop()
if principal.is_employee and scoped(data.customers_in_scope, principal).empty:
    st.warning(f"La tua linea {principal.nmu} non è abilitata ad aprire pratiche. Chiedi al "
               "Mandatario o al Rappresentante Legale della tua azienda di abilitarla.", icon="🔒")
    st.stop()
today = intake.now_local().date()
SENT = "ra_inviata"  # the last request sent: shown until another is begun, whatever reruns
if SENT in st.session_state:
    confirmation(st.session_state[SENT])
    if st.button("Apri un'altra richiesta", key="ra_altra"):
        for key in [key for key in st.session_state if str(key).startswith("ra_")]:
            del st.session_state[key]
        st.rerun()
    st.stop()

request_type = st.radio("Tipo di richiesta", intake.REQUEST_TYPES, horizontal=True, key="ra_tipo")

st.subheader("Dispositivo", anchor=False)
if principal.may_search_imei:
    digits = st.text_input("Cerca per IMEI", key="ra_cerca_imei", placeholder="almeno 4 cifre",
                           help="Sono elencati solo i dispositivi con protezione attiva oggi.")
    found = intake.search_devices(principal, digits, today) if digits else None
    imei = None
    if found is not None and found.empty:
        st.info("Nessun dispositivo con protezione attiva corrisponde a queste cifre.")
    elif found is not None:
        devices = {row["imei"]: row for row in found.to_dict("records")}
        imei = st.selectbox("Dispositivo", list(devices), key="ra_dispositivo",
                            format_func=lambda value: device_label(devices[value]))
else:
    imei = st.text_input("IMEI del tuo dispositivo", key="ra_imei_dipendente", max_chars=20,
                         placeholder="15 cifre", help="L'IMEI completo del dispositivo della "
                         "tua linea (si legge digitando *#06#).")
if not imei:
    st.stop()
choice = intake.find_device(principal, imei, today)
if choice is None:
    st.error(intake.NOT_FOUND)
    st.stop()
if not choice.eligibility.eligible:
    st.error(choice.eligibility.reason)
    if choice.eligibility.open_claim:
        st.markdown(claim_link(choice.eligibility.open_claim))
    st.stop()
device = choice.device
st.caption(device_label(device))

causes: list[str] = []
if request_type == intake.FAULT:
    causes = st.multiselect("Causali del guasto", intake.FAULT_CAUSES, key="ra_causali",
                            placeholder="almeno una")

st.subheader("Consegna del sostitutivo", anchor=False)
mode = st.radio("Modalità di consegna", intake.DELIVERY_MODES, horizontal=True, key="ra_consegna")
point_code = address_key = new_address = None
if mode == intake.AT_POINT:
    place = st.text_input("Provincia (sigla) o comune", key="ra_luogo", placeholder="RM, Milano")
    points = intake.assistance_points(place) if place else None
    if points is not None and points.empty:
        st.info("Nessun punto assistenza in questa provincia o comune.")
    elif points is not None:
        labels = {p.point_code: f"{p.name} · {p.address}, {p.municipality} ({p.province})"
                  for p in points.itertuples()}
        point_code = st.selectbox("Punto assistenza", list(labels), format_func=labels.get,
                                  key="ra_punto")
else:
    addresses = intake.delivery_addresses(principal, device["customer_code"])
    options = {a["key"]: a for a in addresses}
    adding = intake.may_add_address(principal) and st.checkbox(
        "Aggiungi un nuovo indirizzo", key="ra_nuovo_indirizzo",
        help="Serve subito questa pratica; gli altri utenti lo vedranno dopo 24 ore.")
    if adding:
        street, postcode, town, province = st.columns([3, 1, 2, 1])
        new_address = {
            "address": street.text_input("Indirizzo", key="ra_via"),
            "postcode": postcode.text_input("CAP", key="ra_cap", max_chars=5),
            "municipality": town.text_input("Comune", key="ra_comune"),
            "province": province.text_input("Provincia", key="ra_provincia", max_chars=2),
        }
    elif not options:
        st.info("Nessun indirizzo di consegna disponibile per il cliente.")
    else:
        def address_text(key: str) -> str:
            chosen = options[key]
            later = chosen["available_to_others_at"]
            return chosen["label"] + (f" (visibile agli altri dal {later:%d/%m/%Y %H:%M})"
                                      if later and later > intake.now_local() else "")
        address_key = st.selectbox("Indirizzo di consegna", list(options),
                                   format_func=address_text, key="ra_indirizzo")

files: dict[str, object] = {}
if request_type != intake.FAULT:
    st.subheader("Documenti", anchor=False)
    st.caption("PDF, JPEG o PNG, al massimo 10 MB ciascuno. Puoi caricarli ora o più tardi "
               "dal dettaglio della pratica; il tempo di consegna parte dall'ultimo ricevuto.")
    blocking_form_download("modulo_form")
    columns = st.columns(len(intake.DOCUMENT_KINDS))
    for column, (kind, label) in zip(columns, intake.DOCUMENT_KINDS.items(), strict=True):
        files[kind] = column.file_uploader(label, max_upload_size=10, key=f"ra_file_{kind}")

if st.button("Invia richiesta", type="primary", key="ra_invia"):
    result = intake.submit_request(
        principal, request_type=request_type, imei=device["imei"], fault_causes=tuple(causes),
        delivery_mode=mode, assistance_point_code=point_code,
        address_key=address_key if mode == intake.AT_COMPANY else None,
        new_address=new_address if mode == intake.AT_COMPANY else None,
    )
    if result.errors:
        for error in result.errors:
            st.error(error)
        if result.open_claim:
            st.markdown(claim_link(result.open_claim))
    else:
        if any(files.values()):
            clock = upload_with_request(principal, result.request_number, files, today)
            result.documentation_complete = clock.documentation_complete
            result.expected_delivery = clock.expected_delivery
            result.missing_documents = clock.missing_documents
        st.session_state[SENT] = result
        st.rerun()
