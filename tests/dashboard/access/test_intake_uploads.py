"""Hostile uploads through the data layer: refused with a reason, nothing kept, audited;
a file's name is never used, not even as a path."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from dashboard.access import auth, intake
from pipelines import appstate
from pipelines.appstate import tables
from pipelines.intake import export_handover
from tests.dashboard.intake_support import FREE, NOW, build_intake_warehouse
from tests.pipelines.intake.conftest import image_bytes, pdf_bytes

MANDATARIO = "mandatario@beta.it"


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_intake_warehouse(tmp_path_factory.mktemp("uploads") / "kasko.duckdb")


@pytest.fixture
def theft(loaded: Path, tmp_path: Path) -> tuple[Path, str]:
    db = tmp_path / "kasko.duckdb"
    shutil.copyfile(loaded, db)
    who = auth.principal_for_login(db, MANDATARIO)
    result = intake.submit_request(who, request_type="Furto/Smarrimento", imei=FREE["Y002"],
                                   delivery_mode="Punto assistenza",
                                   assistance_point_code="P002", warehouse=db, now=NOW)
    assert result.request_number is not None, result.errors
    yield db, result.request_number
    appstate.forget_stores()


def _bomb_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("1", (16_000, 16_000)).save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


HOSTILE = {
    "text named .pdf": (b"Questa non e' una denuncia.\n" * 10, "Sono accettati solo file PDF"),
    "11 MB": (b"%PDF-1.7\n" + b"0" * (11 * 1024 * 1024) + b"\n%%EOF\n",
              "Il file supera il limite di 10 MB"),
    "empty": (b"", "Il file è vuoto."),
    "decompression bomb named .png": (_bomb_png(), "L'immagine è troppo grande"),
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_hostile_uploads_are_refused_kept_nowhere_and_audited(
    theft: tuple[Path, str], case: str,
) -> None:
    db, number = theft
    data, reason = HOSTILE[case]
    who = auth.principal_for_login(db, MANDATARIO)
    outcome = intake.upload_document(who, number, "police_report", data, db, NOW)
    assert not outcome.ok
    assert outcome.message.startswith(f"File non accettato: {reason}"), outcome.message
    store = appstate.store_for(db)
    with store.read() as con:
        kept = con.execute(select(func.count()).select_from(tables.intake_documents)).scalar()
        audit = con.execute(select(tables.intake_audit.c.action, tables.intake_audit.c.login)
                            .where(tables.intake_audit.c.request_number == number)
                            .order_by(tables.intake_audit.c.audit_id)).all()
    assert kept == 0
    assert [tuple(row) for row in audit] == [("submission", MANDATARIO),
                                             ("refused_upload", MANDATARIO)]
    # the request still waits for every document
    detail = intake.request_detail(who, number, NOW.date(), db)
    assert detail is not None and detail["documents"] == {}


def test_a_file_name_is_never_used(theft: tuple[Path, str], tmp_path: Path) -> None:
    """The page hands the data layer the bytes only; names on disk come from the request
    number and the document kind, whatever the uploaded file was called."""
    from dashboard.intake_widgets import upload_with_request

    db, number = theft
    who = auth.principal_for_login(db, MANDATARIO)

    class Uploaded:
        def __init__(self, name: str, data: bytes) -> None:
            self.name, self._data = name, data

        def getvalue(self) -> bytes:
            return self._data

    files = {"id_document": Uploaded("../../../etc/passwd.png", image_bytes("PNG")),
             "police_report": Uploaded("..\\..\\denuncia.pdf", pdf_bytes()),
             "blocking_form": Uploaded("/tmp/../modulo.jpg", image_bytes("JPEG"))}
    result = upload_with_request(who, number, files, NOW.date(), db)
    assert result.documentation_complete and result.missing_documents == []
    out = tmp_path / "handover"
    export_handover(appstate.store_for(db), out, NOW)
    written = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")
                     if p.is_file() and "handover" in p.parts)
    assert [name for name in written if not name.startswith("handover/r")
            and not name.startswith("handover/i")] == [
        f"handover/{number}_denuncia.pdf", f"handover/{number}_documento_identita.png",
        f"handover/{number}_modulo_blocco.jpg"]
    downloaded = intake.download_document(who, number, "id_document", db)
    assert downloaded is not None and downloaded[0] == f"{number}_id_document.png"
