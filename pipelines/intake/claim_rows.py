"""Requests as rows of the claims export (the contract's Claim): for the back office's handover
and for Monitoraggio, which computes their SLA with the same SQL as every claim."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import pyarrow as pa
from sqlalchemy import ColumnElement, Connection, and_, select, true

from pipelines.appstate import tables
from pipelines.contract import HEADERS, Claim, ColumnKind, columns
from pipelines.intake.rules import (
    CHANNEL,
    DOCUMENT_KINDS,
    FAULT,
    OPEN_STATUS,
    WAITING_STATUS,
)
from pipelines.warehouse.schema import sql_type

CLAIM_COLUMNS = columns(Claim)
_ARROW_TYPES = {"varchar": pa.string(), "timestamp": pa.timestamp("us"), "date": pa.date32(),
                "boolean": pa.bool_()}


def request_rows(con: Connection, where: ColumnElement[bool] | None = None
                 ) -> list[dict[str, Any]]:
    """The requests (matching `where`) as claims rows, by contract field name: Stato is
    `Aperta` once the documentation is complete, else `In attesa documentazione`; a
    theft/loss says which documents arrived."""
    requests, documents = tables.intake_requests, tables.intake_documents
    found = con.execute(
        select(requests).where(where if where is not None else true())
        .order_by(requests.c.opened_at, requests.c.request_number)
    ).mappings().all()
    numbers = [row["request_number"] for row in found]
    received: dict[str, set[str]] = {}
    if numbers:
        for number, kind in con.execute(
            select(documents.c.request_number, documents.c.kind)
            .where(documents.c.request_number.in_(numbers))
        ):
            received.setdefault(number, set()).add(kind)
    rows = []
    for row in found:
        theft = row["request_type"] != FAULT
        kinds = received.get(row["request_number"], set())
        rows.append({
            "request_number": row["request_number"],
            "updated_at": row["updated_at"],
            "customer_code": row["customer_code"],
            "nmu": row["nmu"],
            "imei": row["imei"],
            "request_type": row["request_type"],
            "fault_causes": row["fault_causes"],
            "channel": CHANNEL,
            "opened_by": row["opened_by"],
            "opening_profile": row["opening_profile"],
            "opened_at": row["opened_at"],
            **{kind: (kind in kinds) if theft else None for kind in DOCUMENT_KINDS},
            "documentation_received_at": row["documentation_received_at"],
            "delivery_mode": row["delivery_mode"],
            "assistance_point_code": row["assistance_point_code"],
            "delivery_address": row["delivery_address"],
            "status": OPEN_STATUS if row["documentation_received_at"] else WAITING_STATUS,
            "rejection_reason": None,
            "replacement_available_at": None,
            "closed_at": None,
            "replacement_imei": None,
            "replacement_model": None,
            "equivalent_model": None,
        })
    return rows


def not_acknowledged(customers: Sequence[str] | None = None,
                     line_nmu: str | None = None) -> ColumnElement[bool]:
    """Requests the back office has not acknowledged, of some customers (None: all)."""
    requests = tables.intake_requests
    condition = requests.c.acknowledged_at.is_(None)
    if customers is not None:
        condition = and_(condition, requests.c.customer_code.in_(list(customers)))
    if line_nmu is not None:
        condition = and_(condition, requests.c.nmu == line_nmu)
    return condition


def as_arrow(rows: list[dict[str, Any]]) -> pa.Table:
    """Rows with core.claims' columns and types (lineage columns empty): what the SLA
    macro reads in place of core.claims."""
    fields = [pa.field(c.name, _ARROW_TYPES[sql_type(c)]) for c in CLAIM_COLUMNS]
    fields += [pa.field("load_id", pa.int32()), pa.field("line", pa.int64()),
               pa.field("file_date", pa.date32()), pa.field("row_hash", pa.uint64())]
    data = {f.name: [row.get(f.name) for row in rows] for f in fields}
    return pa.table(data, schema=pa.schema(fields))


def export_text(column_kind: ColumnKind, value: Any) -> str:
    """A value as the back office's exports write it (dd/mm/yyyy HH:MM:SS, Sì/No)."""
    if value is None:
        return ""
    if column_kind is ColumnKind.DATETIME and isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M:%S")
    if column_kind is ColumnKind.BOOLEAN:
        return "Sì" if value else "No"
    return str(value)


def export_headers() -> list[str]:
    return [HEADERS[Claim][column.name] for column in CLAIM_COLUMNS]
