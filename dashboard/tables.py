"""Tables of claims, lines and enablement changes: columns shown, Italian headers, formats."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from dashboard.components import DATE_FORMAT, DATETIME_FORMAT, sla_badges
from dashboard.i18n import (
    CHANGE_SOURCE_LABELS,
    COLUMN_LABELS,
    ENABLED_LABELS,
    REQUEST_TYPE_LABELS,
    SLA_STATE_LABELS,
)

ColumnConfig = dict[str, Any]

# What the monitoring list needs is in the first ten columns, which fit 1280 pixels;
# the rest follow off to the right (and are all in the detail and the downloads).
CLAIM_COLUMNS = (
    "request_number",
    "sla_badge",
    "status",
    "due_date",
    "business_days_remaining",
    "company_name",
    "request_type",
    "imei",
    "device",
    "channel",
    "nmu",
    "business_days_late",
    "delivery_mode",
    "opened_date",
    "available_date",
)
CLAIM_COLUMN_WIDTHS = {
    "request_number": 122, "sla_badge": 158, "status": 160, "due_date": 98,
    "business_days_remaining": 62, "company_name": 150, "request_type": 128, "imei": 126,
    "device": 122, "channel": 96,
}
CLAIM_EXPORT_COLUMNS = (
    "request_number",
    "sla_label",
    "status",
    "due_date",
    "business_days_remaining",
    "business_days_taken",
    "business_days_late",
    "documentation_wait_days",
    "request_type",
    "company_name",
    "customer_code",
    "nmu",
    "imei",
    "device",
    "channel",
    "delivery_mode",
    "assistance_point_name",
    "opened_at",
    "clock_start_date",
    "available_date",
)
LINE_COLUMNS = (
    "enabled",
    "nmu",
    "assignee",
    "assignee_email",
    "device",
    "imei",
    "protection_state",
    "protection_end",
    "enabled_changed_at",
    "enabled_changed_by",
)
AUDIT_COLUMNS = ("changed_at", "changed_by", "nmu", "enabled_before", "enabled_after", "source")
ROW_PIXELS = 35  # st.dataframe's default row height, header included

# Claims a list shows at most (one more is asked for, to know whether there are more);
# the downloads hold every matching claim.
SHOWN_ROWS = 1000


def fitted_height(rows: int, most: int = 12) -> int:
    """A table height that shows every row up to `most`, with no empty rows below."""
    return ROW_PIXELS * (min(max(rows, 1), most) + 1) + 3


def _device(brand: pd.Series, model: pd.Series) -> pd.Series:
    """'Apple iPhone 15'; a model that already names its brand ('Xiaomi 14') is kept alone."""
    names = [
        model_name if brand_name and model_name.lower().startswith(brand_name.lower())
        else f"{brand_name} {model_name}".strip()
        for brand_name, model_name in zip(brand.fillna(""), model.fillna(""), strict=True)
    ]
    return pd.Series(names, index=model.index, dtype="str")


def _dates(frame: pd.DataFrame, names: tuple[str, ...]) -> pd.DataFrame:
    """Calendar-date columns as dates, so that spreadsheets show no midnight time."""
    return frame.assign(**{name: frame[name].dt.date for name in names if name in frame})


def _enabled_label(value: Any) -> str:
    return "—" if pd.isna(value) else ENABLED_LABELS[bool(value)]


# ---------------------------------------------------------------- claims


def claims_table(claims: pd.DataFrame) -> pd.DataFrame:
    """The claims as the list shows them: the SLA badge and the device in one column each."""
    shown = claims.assign(
        sla_badge=sla_badges(claims["sla_state"]),
        device=_device(claims["device_brand"], claims["device_model"]),
        # a claim may name a customer missing from the registry: show its code
        company_name=claims["company_name"].fillna(claims["customer_code"]),
        # the short word ("Guasto"), so that the column stays narrow
        request_type=claims["request_type_code"].map(REQUEST_TYPE_LABELS).fillna(
            claims["request_type"]),
    )
    return shown[list(CLAIM_COLUMNS)]


def claims_columns(show_customer: bool) -> ColumnConfig:
    text = st.column_config.TextColumn
    days = st.column_config.NumberColumn
    day = st.column_config.DateColumn
    config: ColumnConfig = {
        "request_number": text(COLUMN_LABELS["request_number"], pinned=True),
        "sla_badge": text(COLUMN_LABELS["sla_badge"],
                          help="Stato rispetto ai 5 giorni lavorativi, alla data «Situazione al»"),
        "status": text(COLUMN_LABELS["status"]),
        "due_date": day("Consegna entro", format=DATE_FORMAT,
                        help="5° giorno lavorativo dalla ricezione della documentazione completa"),
        "business_days_remaining": days("Gg rim.", format="%d",
                                        help="Giorni lavorativi rimanenti fino alla consegna "
                                        "prevista"),
        "business_days_late": days(COLUMN_LABELS["business_days_late"], format="%d",
                                   help="Giorni lavorativi oltre la consegna prevista"),
        "request_type": text(COLUMN_LABELS["request_type"]),
        "company_name": text(COLUMN_LABELS["company_name"]),
        "nmu": text(COLUMN_LABELS["nmu"]),
        "imei": text(COLUMN_LABELS["imei"]),
        "device": text(COLUMN_LABELS["device"]),
        "channel": text(COLUMN_LABELS["channel"]),
        "delivery_mode": text(COLUMN_LABELS["delivery_mode"]),
        "opened_date": day(COLUMN_LABELS["opened_date"], format=DATE_FORMAT),
        "available_date": day(COLUMN_LABELS["available_date"], format=DATE_FORMAT),
    }
    for name, width in CLAIM_COLUMN_WIDTHS.items():
        config[name]["width"] = width
    if not show_customer:
        config["company_name"] = None
    return config


def claims_export(claims: pd.DataFrame) -> pd.DataFrame:
    """The claims as the downloads carry them: Italian headers, the SLA state as a word."""
    exported = claims.assign(
        sla_label=claims["sla_state"].map(SLA_STATE_LABELS).fillna(""),
        device=_device(claims["device_brand"], claims["device_model"]),
    )[list(CLAIM_EXPORT_COLUMNS)]
    exported = _dates(exported, ("due_date", "clock_start_date", "available_date"))
    return exported.rename(columns=COLUMN_LABELS)


# ---------------------------------------------------------------- lines and their changes


def lines_table(lines: pd.DataFrame) -> pd.DataFrame:
    """The lines as shown: enablement in words, so that the only checkbox is the selection."""
    shown = lines.assign(device=_device(lines["brand"], lines["model"]),
                         enabled=lines["enabled"].map(_enabled_label))
    return shown[list(LINE_COLUMNS)]


def lines_columns() -> ColumnConfig:
    text = st.column_config.TextColumn
    return {
        "enabled": text(COLUMN_LABELS["enabled"]),
        "nmu": text(COLUMN_LABELS["nmu"], pinned=True),
        "assignee": text(COLUMN_LABELS["assignee"]),
        "assignee_email": text(COLUMN_LABELS["assignee_email"]),
        "device": text(COLUMN_LABELS["device"]),
        "imei": text(COLUMN_LABELS["imei"]),
        "protection_state": text(COLUMN_LABELS["protection_state"]),
        "protection_end": st.column_config.DateColumn(COLUMN_LABELS["protection_end"],
                                                      format=DATE_FORMAT),
        "enabled_changed_at": st.column_config.DatetimeColumn(
            COLUMN_LABELS["enabled_changed_at"], format=DATETIME_FORMAT),
        "enabled_changed_by": text(COLUMN_LABELS["enabled_changed_by"]),
    }


def audit_table(trail: pd.DataFrame) -> pd.DataFrame:
    """Enablement changes with before and after in words (a line never set has no 'before')."""
    shown = trail.assign(
        enabled_before=trail["enabled_before"].map(_enabled_label),
        enabled_after=trail["enabled_after"].map(_enabled_label),
        source=trail["source"].map(CHANGE_SOURCE_LABELS).fillna(trail["source"]),
    )
    return shown[list(AUDIT_COLUMNS)]


def audit_columns() -> ColumnConfig:
    text = st.column_config.TextColumn
    return {
        "changed_at": st.column_config.DatetimeColumn(COLUMN_LABELS["changed_at"],
                                                      format=DATETIME_FORMAT),
        "changed_by": text(COLUMN_LABELS["changed_by"]),
        "nmu": text(COLUMN_LABELS["nmu"]),
        "enabled_before": text(COLUMN_LABELS["enabled_before"]),
        "enabled_after": text(COLUMN_LABELS["enabled_after"]),
        "source": text(COLUMN_LABELS["source"]),
    }
