"""The widgets of "Richiedi assistenza" and of a request's documents in the claim detail."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import streamlit as st

from dashboard.access import intake
from dashboard.access.principal import Principal


def claim_link(request_number: str) -> str:
    address = f"/monitoraggio?vista=history&numero={request_number}"
    return f"[apri la pratica {request_number}]({address})"


def device_label(device: dict[str, Any]) -> str:
    model = " ".join(str(part) for part in (device.get("brand"), device.get("model")) if part)
    parts = [f"IMEI {device['imei']}", model, f"linea {device['nmu']}" if device.get("nmu") else "",
             device.get("assignee") or ""]
    return " · ".join(part for part in parts if part)


def blocking_form_download(key: str) -> None:
    st.download_button(
        "Scarica il modulo di blocco da firmare", intake.blocking_form(),
        file_name="modulo_blocco_dispositivo.pdf", mime="application/pdf", icon="📄", key=key,
    )


def confirmation(result: intake.SubmissionResult) -> None:
    """The request number and the expected delivery date, or what is still missing."""
    st.success(f"Richiesta **{result.request_number}** inviata.", icon="✅")
    if result.documentation_complete and result.expected_delivery is not None:
        st.markdown(f"Consegna del sostitutivo prevista entro il "
                    f"**{result.expected_delivery:%d/%m/%Y}**.")
    elif result.missing_documents:
        st.warning("Per avviare la pratica mancano: " + ", ".join(result.missing_documents)
                   + ". Puoi caricarli ora o più tardi dal dettaglio della pratica in "
                   "Monitoraggio.", icon="📎")
    if result.address_available_to_others_at is not None:
        st.info("Il nuovo indirizzo sarà visibile agli altri utenti dell'azienda dal "
                f"{result.address_available_to_others_at:%d/%m/%Y alle %H:%M}.", icon="🕑")


def request_documents(principal: Principal, claim: dict[str, Any], key: str) -> None:
    """A request's documents: downloads of those received, uploads of those missing."""
    received = claim.get("documents") or {}
    number = claim["request_number"]
    for kind, label in intake.DOCUMENT_KINDS.items():
        if kind in received:
            found = intake.download_document(principal, number, kind)
            if found is not None:
                name, media_type, content = found
                st.download_button(f"{label} (ricevuto)", content, file_name=name,
                                   mime=media_type, icon="⬇️", key=f"{key}_{kind}_get")
            continue
        upload = st.file_uploader(label, max_upload_size=10, key=f"{key}_{kind}_put")
        if upload is not None and st.button(f"Carica {label.lower()}", key=f"{key}_{kind}_go"):
            outcome = intake.upload_document(principal, number, kind, upload.getvalue())
            (st.success if outcome.ok else st.error)(outcome.message)
    if len(received) < len(intake.DOCUMENT_KINDS):
        blocking_form_download(f"{key}_form")


def received_document_downloads(principal: Principal, number: str, key: str) -> None:
    for kind, label in intake.DOCUMENT_KINDS.items():
        found = intake.download_document(principal, number, kind)
        if found is not None:
            name, media_type, content = found
            st.download_button(label, content, file_name=name, mime=media_type, icon="⬇️",
                               key=f"{key}_{kind}_get")


def upload_with_request(principal: Principal, number: str, files: dict[str, Any],
                        today: date, warehouse: Path | None = None) -> intake.SubmissionResult:
    """The documents given with the form (their bytes only: a file's name is never used),
    then the request's clock."""
    for kind, upload in files.items():
        if upload is not None:
            outcome = intake.upload_document(principal, number, kind, upload.getvalue(),
                                             warehouse)
            if not outcome.ok:
                st.error(outcome.message)
    return intake.with_clock(principal, intake.SubmissionResult(request_number=number),
                             warehouse, today)
