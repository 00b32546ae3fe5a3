"""`kasko intake export`: hand the back office, exactly once, what it does not have yet.

A run first records itself and its items in the store (one transaction), then writes its
files into a hidden folder inside DIR, moves them into DIR with `richieste_<stamp>.csv`
last, and records that it finished. A run killed before that last step is taken up by the
next run: the same stamp, the same items, the same files; when its `richieste_` file is
already in DIR its files were complete, and it is only recorded as finished. A finished
run's items are never written again.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import Connection, delete, func, insert, select, update

from pipelines.appstate import tables
from pipelines.appstate.store import Store
from pipelines.contract import HEADERS, DeliveryAddress, columns
from pipelines.intake.claim_rows import CLAIM_COLUMNS, export_headers, export_text, request_rows
from pipelines.intake.documents import EXTENSIONS
from pipelines.intake.rules import DOCUMENT_FILE_WORDS
from pipelines.output import fsync_directory
from pipelines.warehouse.swap import test_hook

HANDOVER_TOPIC = "intake_handover"
STAMP_FORMAT = "%Y%m%d-%H%M%S"


@dataclass
class Handover:
    """What one run handed over (or, resumed, completed)."""

    stamp: str | None = None
    requests: int = 0
    addresses: int = 0
    documents: int = 0
    files: list[Path] = field(default_factory=list)
    resumed: bool = False

    @property
    def empty(self) -> bool:
        return self.stamp is None


def _next_stamp(con: Connection, now: datetime) -> str:
    handovers = tables.intake_handovers
    last = con.execute(select(func.max(handovers.c.stamp))).scalar_one_or_none()
    moment = now.replace(microsecond=0)
    if last is not None and moment.strftime(STAMP_FORMAT) <= last:
        moment = datetime.strptime(last, STAMP_FORMAT) + timedelta(seconds=1)
    return moment.strftime(STAMP_FORMAT)


def _begin(store: Store, out_dir: Path, now: datetime) -> tuple[int, str, bool] | None:
    """The run to write: an unfinished one (resumed) or a new one holding every item not
    handed over yet; None when there is nothing to hand over."""
    handovers = tables.intake_handovers
    with store.write() as con:
        store.bump(con, HANDOVER_TOPIC)  # runs take turns, on every server
        unfinished = con.execute(
            select(handovers.c.handover_id, handovers.c.stamp)
            .where(handovers.c.finished_at.is_(None))
            .order_by(handovers.c.handover_id)
        ).first()
        if unfinished is not None:
            return unfinished.handover_id, unfinished.stamp, True
        stamp = _next_stamp(con, now)
        handover_id = con.execute(
            insert(handovers).values(stamp=stamp, out_dir=str(out_dir), started_at=now)
            .returning(handovers.c.handover_id)
        ).scalar_one()
        claimed = 0
        for table in (tables.intake_requests, tables.intake_addresses, tables.intake_documents):
            claimed += con.execute(
                update(table).where(table.c.handover_id.is_(None))
                .values(handover_id=handover_id)
            ).rowcount
        if not claimed:
            con.execute(delete(handovers).where(handovers.c.handover_id == handover_id))
            return None
        return handover_id, stamp, False


def _csv_bytes(headers: list[str], rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _files(store: Store, handover_id: int, stamp: str) -> tuple[dict[str, bytes], Handover]:
    """The run's files by name, from its items in the store."""
    requests, addresses = tables.intake_requests, tables.intake_addresses
    documents = tables.intake_documents
    result = Handover(stamp=stamp)
    files: dict[str, bytes] = {}
    with store.read() as con:
        claims = request_rows(con, requests.c.handover_id == handover_id)
        added = con.execute(
            select(addresses).where(addresses.c.handover_id == handover_id)
            .order_by(addresses.c.address_id)
        ).mappings().all()
        received = con.execute(
            select(documents.c.request_number, documents.c.kind, documents.c.media_type,
                   documents.c.content)
            .where(documents.c.handover_id == handover_id)
            .order_by(documents.c.document_id)
        ).all()
    for number, kind, media_type, content in received:
        name = f"{number}_{DOCUMENT_FILE_WORDS[kind]}.{EXTENSIONS[media_type]}"
        files[name] = bytes(content)
    address_columns = columns(DeliveryAddress)
    files[f"indirizzi_{stamp}.csv"] = _csv_bytes(
        [HEADERS[DeliveryAddress][c.name] for c in address_columns],
        [[export_text(c.kind, {**row, "active": True}.get(c.name)) for c in address_columns]
         for row in added],
    )
    # last: its presence in DIR says the run's files are complete
    files[f"richieste_{stamp}.csv"] = _csv_bytes(
        export_headers(),
        [[export_text(c.kind, row[c.name]) for c in CLAIM_COLUMNS] for row in claims],
    )
    result.requests, result.addresses, result.documents = len(claims), len(added), len(received)
    return files, result


def _write_durably(path: Path, data: bytes) -> None:
    with open(path, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def export_handover(store: Store, out_dir: Path, now: datetime) -> Handover:
    """Write what the back office does not have yet into out_dir (see the module's notes)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    begun = _begin(store, out_dir.resolve(), now)
    if begun is None:
        return Handover()
    handover_id, stamp, resumed = begun
    marker = out_dir / f"richieste_{stamp}.csv"
    files, result = _files(store, handover_id, stamp)
    result.resumed = resumed
    work = out_dir / f".richieste_{stamp}.partial"
    if not (resumed and marker.exists()):
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir()
        for name, data in files.items():
            _write_durably(work / name, data)
            test_hook("intake-export-file")
        fsync_directory(work)
        test_hook("intake-export-written")
        for name in files:  # the marker is the last of them
            os.replace(work / name, out_dir / name)
            test_hook("intake-export-moved")
        fsync_directory(out_dir)
        test_hook("intake-export-in-place")
    with store.write() as con:
        con.execute(update(tables.intake_handovers)
                    .where(tables.intake_handovers.c.handover_id == handover_id)
                    .values(finished_at=now))
    shutil.rmtree(work, ignore_errors=True)
    result.files = [out_dir / name for name in files]
    return result
