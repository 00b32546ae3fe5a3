"""Theft/loss documents: recognised by content, size-limited, decoded safely, kept once."""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass
from datetime import datetime
from importlib.resources import files

from PIL import Image, UnidentifiedImageError
from sqlalchemy import Connection, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from pipelines.appstate import tables
from pipelines.appstate.store import Store
from pipelines.intake.rules import DOCUMENT_KINDS, THEFT_LOSS

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
# A scanned A4 page at 600 dpi is about 35 million pixels; a bigger image is refused
# unread (a small file that decodes into gigabytes is a decompression bomb).
MAX_IMAGE_PIXELS = 50_000_000

PDF, JPEG, PNG = "application/pdf", "image/jpeg", "image/png"
EXTENSIONS = {PDF: "pdf", JPEG: "jpg", PNG: "png"}


class DocumentRefused(ValueError):
    """A file that is not kept; the message says why, in Italian, for the person uploading."""


@dataclass(frozen=True)
class CheckedDocument:
    media_type: str
    size: int
    sha256: str


def _media_type(data: bytes) -> str | None:
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    return None


def _check_image(data: bytes, expected: str) -> None:
    """Decode the whole image under a pixel limit: a bomb or a broken file is refused."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=["JPEG", "PNG"]) as image:
                width, height = image.size
                if width * height > MAX_IMAGE_PIXELS:
                    raise DocumentRefused(
                        f"L'immagine è troppo grande ({width} x {height} pixel): "
                        "caricare una scansione più piccola."
                    )
                if Image.MIME.get(image.format or "") != expected:
                    raise DocumentRefused("Il contenuto del file non è un'immagine valida.")
                image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise DocumentRefused(
            "L'immagine è troppo grande una volta aperta: caricare una scansione più piccola."
        ) from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        if isinstance(error, DocumentRefused):
            raise
        raise DocumentRefused("Il file è danneggiato o non è un'immagine leggibile.") from error


def check_document(data: bytes) -> CheckedDocument:
    """What a file is, by its content (never its name), or DocumentRefused saying why."""
    if not data:
        raise DocumentRefused("Il file è vuoto.")
    if len(data) > MAX_DOCUMENT_BYTES:
        size = f"{len(data) / 1024 / 1024:.1f}".replace(".", ",")
        raise DocumentRefused(f"Il file supera il limite di 10 MB ({size} MB).")
    media_type = _media_type(data)
    if media_type is None:
        raise DocumentRefused(
            "Sono accettati solo file PDF, JPEG o PNG: il contenuto di questo file non è "
            "nessuno dei tre."
        )
    if media_type == PDF:
        # a PDF ends with its end-of-file marker (a trailer may follow it by a few bytes)
        if b"%%EOF" not in data[-2048:]:
            raise DocumentRefused("Il PDF è incompleto o danneggiato.")
    else:
        _check_image(data, media_type)
    return CheckedDocument(media_type, len(data), hashlib.sha256(data).hexdigest())


class DocumentAlreadyReceived(ValueError):
    """A document of this kind is already there: it cannot be replaced from the dashboard."""


@dataclass(frozen=True)
class Upload:
    request_number: str
    kind: str
    complete: bool  # whether this document completed the documentation


def store_document(
    store: Store,
    con: Connection,
    request_number: str,
    kind: str,
    data: bytes,
    login: str,
    now: datetime,
) -> Upload:
    """Keep one checked document of a theft/loss request, in the caller's write transaction;
    the third document starts the SLA clock. The caller has checked the person may see it."""
    if kind not in DOCUMENT_KINDS:
        raise ValueError(f"unknown document kind {kind!r}")
    requests, documents = tables.intake_requests, tables.intake_documents
    request = con.execute(
        select(requests.c.request_type, requests.c.customer_code,
               requests.c.documentation_received_at)
        .where(requests.c.request_number == request_number)
    ).one_or_none()
    if request is None or request.request_type != THEFT_LOSS:
        raise LookupError(request_number)
    checked = check_document(data)
    try:
        with con.begin_nested():
            con.execute(insert(documents).values(
                request_number=request_number, kind=kind, media_type=checked.media_type,
                size=checked.size, sha256=checked.sha256, content=data, uploaded_by=login,
                uploaded_at=now,
            ))
    except IntegrityError as error:
        raise DocumentAlreadyReceived(request_number, kind) from error
    received = con.execute(
        select(func.count()).select_from(documents)
        .where(documents.c.request_number == request_number)
    ).scalar_one()
    complete = received == len(DOCUMENT_KINDS) and request.documentation_received_at is None
    changes: dict[str, object] = {"updated_at": now, "handover_id": None}
    if complete:
        changes["documentation_received_at"] = now
    con.execute(update(requests).where(requests.c.request_number == request_number)
                .values(**changes))
    con.execute(insert(tables.intake_audit).values(
        at=now, login=login, action="upload", request_number=request_number,
        customer_code=request.customer_code,
        detail=f"{DOCUMENT_KINDS[kind]}: {checked.media_type}, {checked.size} byte, "
               f"sha256 {checked.sha256}",
    ))
    store.bump(con, tables.INTAKE)
    return Upload(request_number, kind, complete)


def received_documents(con: Connection, request_number: str) -> dict[str, dict[str, object]]:
    """The documents of a request, by kind: media type, size, who and when (no content)."""
    documents = tables.intake_documents
    rows = con.execute(
        select(documents.c.kind, documents.c.media_type, documents.c.size,
               documents.c.uploaded_by, documents.c.uploaded_at)
        .where(documents.c.request_number == request_number)
    ).mappings()
    return {row["kind"]: dict(row) for row in rows}


def document_content(con: Connection, request_number: str, kind: str) -> tuple[str, bytes] | None:
    documents = tables.intake_documents
    row = con.execute(
        select(documents.c.media_type, documents.c.content)
        .where(documents.c.request_number == request_number, documents.c.kind == kind)
    ).one_or_none()
    return None if row is None else (row.media_type, bytes(row.content))


def blocking_form() -> bytes:
    """The device-blocking form to print, sign and upload (package data)."""
    return (files("pipelines.intake") / "forms" / "modulo_blocco.pdf").read_bytes()
