"""Documents are recognised by content; anything else is refused with a reason, unread."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from pipelines.intake import MAX_DOCUMENT_BYTES, DocumentRefused, check_document
from tests.pipelines.intake.conftest import image_bytes, pdf_bytes


@pytest.mark.parametrize(("data", "media_type"), [
    (pdf_bytes(), "application/pdf"),
    (image_bytes("JPEG"), "image/jpeg"),
    (image_bytes("PNG"), "image/png"),
])
def test_pdf_jpeg_and_png_are_recognised_by_content(data: bytes, media_type: str) -> None:
    checked = check_document(data)
    assert (checked.media_type, checked.size) == (media_type, len(data))


def _bomb() -> bytes:
    """A PNG of a few kilobytes that decodes into 144 million pixels."""
    buffer = io.BytesIO()
    Image.new("1", (12_000, 12_000)).save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


@pytest.mark.parametrize(("data", "reason"), [
    (b"", "Il file è vuoto."),
    (b"Gentile cliente, in allegato la denuncia.\n", "Sono accettati solo file PDF, JPEG o PNG"),
    (b"%PDF-1.7\n" + b"0" * (MAX_DOCUMENT_BYTES + 1024 * 1024),
     "Il file supera il limite di 10 MB (11,0 MB)."),
    (b"GIF89a" + b"\0" * 100, "Sono accettati solo file PDF, JPEG o PNG"),
    (b"%PDF-1.4\n1 0 obj\n", "Il PDF è incompleto o danneggiato."),
    (image_bytes("PNG")[:60], "Il file è danneggiato o non è un'immagine leggibile."),
    (_bomb(), "L'immagine è troppo grande"),
    # a JPEG's first bytes before a PNG body: the content decides, and it does not agree
    (b"\xff\xd8\xff" + image_bytes("PNG"), "Il file è danneggiato"),
])
def test_anything_else_is_refused_with_a_reason(data: bytes, reason: str) -> None:
    with pytest.raises(DocumentRefused) as refused:
        check_document(data)
    assert str(refused.value).startswith(reason)


def test_the_bomb_is_small_on_disk() -> None:
    assert len(_bomb()) < 100_000
