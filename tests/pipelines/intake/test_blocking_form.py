"""The blocking form offered for download is the one deploy/blocking_form.py writes."""

from __future__ import annotations

from pathlib import Path

from deploy.blocking_form import TITLE, write
from pipelines.intake.documents import blocking_form, check_document


def test_the_shipped_form_is_the_scripts_output_and_a_valid_pdf(tmp_path: Path) -> None:
    shipped = blocking_form()
    assert write(tmp_path / "modulo.pdf") == shipped
    assert check_document(shipped).media_type == "application/pdf"
    assert f"/Title ({TITLE})".encode() in shipped
