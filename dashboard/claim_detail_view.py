"""One claim in full: SLA figures, documents, device, delivery, replacement, flags, history."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pandas as pd
import streamlit as st

from dashboard.access.data import ClaimDetail
from dashboard.components import DATETIME_FORMAT
from dashboard.i18n import (
    COLUMN_LABELS,
    DOCUMENT_LABELS,
    SLA_STATE_BADGES,
    count_label,
    flag_text,
    format_number,
)

HISTORY_COLUMNS = (
    "updated_at",
    "status",
    "documentation_received_at",
    "replacement_available_at",
    "closed_at",
    "replacement_model",
    "rejection_reason",
)
THEFT_LOSS = "theft_loss"


def _day(value: date | datetime | None) -> str:
    return "–" if value is None or pd.isna(value) else f"{value:%d/%m/%Y}"


def _moment(value: datetime | None) -> str:
    return "–" if value is None or pd.isna(value) else f"{value:%d/%m/%Y %H:%M}"


def _business_days(count: int) -> str:
    return count_label(int(count), "giorno lavorativo", "giorni lavorativi")


def _lines(*parts: str | None) -> str:
    """Markdown lines, skipping the empty ones."""
    return "  \n".join(part for part in parts if part)


def _sla_figure(claim: dict[str, Any]) -> tuple[str, str]:
    """The one business-day figure that matters for the claim's state, and its label."""
    for name, label in (
        ("business_days_remaining", "Giorni lavorativi alla consegna"),
        ("business_days_late", "Giorni lavorativi di ritardo"),
        ("business_days_taken", "Giorni lavorativi impiegati"),
        ("documentation_pending_days", "Giorni lavorativi in attesa documenti"),
    ):
        if claim.get(name) is not None and (name != "business_days_late" or claim[name]):
            return label, format_number(claim[name])
    return "Giorni lavorativi", "–"


def _documentation(claim: dict[str, Any]) -> str:
    received = claim.get("documentation_received_at")
    lines = []
    if claim.get("request_type_code") == THEFT_LOSS:
        lines += [f"{'✅' if claim.get(name) else '❌'} {label}"
                  for name, label in DOCUMENT_LABELS.items()]
    if received is not None:
        lines.append(f"Documentazione completa il **{_moment(received)}**")
    elif claim.get("documentation_pending_days") is not None:
        days = _business_days(claim["documentation_pending_days"])
        lines.append(f"In attesa della documentazione da **{days}**")
    if claim.get("documentation_wait_days") is not None:
        lines.append(f"Attesa documentazione: {_business_days(claim['documentation_wait_days'])}")
    if claim.get("fault_causes"):
        lines.append(f"Causali guasto: {claim['fault_causes'].replace('|', ', ')}")
    return _lines(*lines)


def _device(claim: dict[str, Any], device: dict[str, Any] | None) -> str:
    if device is None:
        return _lines(
            f"**{claim.get('device_brand') or ''} {claim.get('device_model') or ''}**".strip(),
            f"IMEI {claim['imei']}", f"Linea {claim['nmu']}",
            "_Dispositivo non presente nell'inventario visibile._",
        )
    protection = f"Protezione {device['protection_state']}"
    if device.get("protection_end") is not None:
        protection += f" fino al {_day(device['protection_end'])}"
    return _lines(
        f"**{device['brand']} {device['model']}** ({device['device_type']})",
        f"IMEI {device['imei']}", f"Linea {device['nmu']}",
        f"Assegnatario: {device['assignee']}" if device.get("assignee") else None,
        protection,
    )


def _delivery(claim: dict[str, Any], point: dict[str, Any] | None) -> str:
    mode = claim.get("delivery_mode") or "–"
    if point is not None:
        return _lines(
            f"**{mode}**", point["name"], point.get("address"),
            f"{point.get('municipality') or ''} ({point.get('province') or ''})",
        )
    if claim.get("assistance_point_name"):
        return _lines(f"**{mode}**", claim["assistance_point_name"])
    return _lines(f"**{mode}**", claim.get("delivery_address") or "Indirizzo non indicato")


def _replacement(claim: dict[str, Any]) -> str:
    if not claim.get("replacement_model"):
        return "_Non ancora disponibile._"
    equivalent = claim.get("equivalent_model")
    kind = {True: "Modello equivalente", False: "Stesso modello"}.get(
        None if equivalent is None else bool(equivalent)
    )
    return _lines(
        f"**{claim['replacement_model']}**", kind,
        f"IMEI {claim['replacement_imei']}" if claim.get("replacement_imei") else None,
        f"Disponibile dal {_moment(claim.get('replacement_available_at'))}",
    )


def _history(versions: pd.DataFrame) -> None:
    columns = {
        name: st.column_config.DatetimeColumn(COLUMN_LABELS[name], format=DATETIME_FORMAT)
        for name in ("updated_at", "documentation_received_at", "replacement_available_at",
                     "closed_at")
    }
    columns |= {name: st.column_config.TextColumn(COLUMN_LABELS[name])
                for name in ("status", "replacement_model", "rejection_reason")}
    # a column that never held a value in the claim's life says nothing: left out
    shown = versions[[name for name in HISTORY_COLUMNS if versions[name].notna().any()]]
    st.dataframe(shown, hide_index=True, column_config=columns, width="stretch",
                 placeholder="–", key="claim_history")


def show_claim_detail(detail: ClaimDetail) -> None:
    """The claim in a dialog's body: header, figures, four cards, flags and history."""
    claim = detail.claim
    with st.container(border=False):
        st.caption(" · ".join(part for part in (
            claim.get("company_name"), claim.get("request_type"),
            f"aperta il {_moment(claim.get('opened_at'))}",
            f"da {claim['opened_by']} ({claim.get('opening_profile') or '–'})"
            if claim.get("opened_by") else None,
            f"canale {claim['channel']}" if claim.get("channel") else None,
        ) if part))
        status, sla, due, figure = st.columns(4)
        status.metric("Stato", claim.get("status") or "–")
        sla.metric("SLA", SLA_STATE_BADGES.get(claim.get("sla_state") or "", "–"))
        due.metric(COLUMN_LABELS["due_date"], _day(claim.get("due_date")))
        figure.metric(*_sla_figure(claim))
        if claim.get("rejection_reason"):
            st.warning(f"Esito negativo: {claim['rejection_reason']}", icon="⛔")
        for flag in detail.flags.itertuples():
            st.warning(flag_text(flag.flag, flag.detail if pd.notna(flag.detail) else None),
                       icon="⚠️")
        cards = st.columns(4)
        for card, title, body in zip(cards, (
            "Documentazione", "Dispositivo", "Consegna", "Sostitutivo"
        ), (
            _documentation(claim), _device(claim, detail.device),
            _delivery(claim, detail.delivery_point), _replacement(claim),
        ), strict=True):
            with card.container(border=True, height="stretch"):
                st.markdown(f"**{title}**")
                st.markdown(body or "–")
        st.markdown("**Cronologia**")
        _history(detail.versions)
