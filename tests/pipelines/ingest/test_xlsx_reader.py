"""XLSX files that expand far beyond their size are refused unread, in bounded memory."""

from __future__ import annotations

import io
import json
import random
import re
import string
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

import xlsxwriter

from tests.pipelines.exports import claim_row

if TYPE_CHECKING:
    from tests.pipelines.exports import ExportFolder, Warehouse

CLAIM = claim_row()
HEADERS = list(CLAIM)
CSV_TEXT = ";".join(HEADERS) + "\r\n" + ";".join(CLAIM.values()) + "\r\n"


def workbook(rows: list[list[str]]) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer)
    sheet = book.add_worksheet()
    for number, row in enumerate([HEADERS, *rows]):
        sheet.write_row(number, 0, row)
    book.close()
    return buffer.getvalue()


def shared_string_bomb(path: Path, megabytes: int) -> None:
    """A claims workbook whose one shared string ("BOMB") is `megabytes` MB of one letter:
    a few hundred KB compressed."""
    template = zipfile.ZipFile(io.BytesIO(workbook([[*CLAIM.values()][:6] + ["BOMB"]])))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for info in template.infolist():
            data = template.read(info.filename)
            if info.filename != "xl/sharedStrings.xml":
                archive.writestr(info.filename, data)
                continue
            head, _, tail = data.partition(b"BOMB")
            with archive.open(info.filename, "w") as part:
                part.write(head)
                block = b"A" * 2**20
                for _ in range(megabytes):
                    part.write(block)
                part.write(tail)


# Runs a command and reports the peak resident memory of its process, as the kernel
# accounts it to the waiting parent: a small parent of its own, since a child forked from
# a large one (the test runner) would be charged the parent's pages.
MEASURE = """
import resource, subprocess, sys
code = subprocess.call(sys.argv[1:])
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)
sys.exit(code)
"""


def load_measured(exports: Path, db: Path) -> tuple[int, list[dict[str, object]], str, float]:
    """`kasko load --json` in a process of its own: exit code, results, stderr, and its peak
    resident memory in MB."""
    kasko = Path(sys.executable).parent / "kasko"
    run = subprocess.run(
        [sys.executable, "-c", MEASURE, str(kasko), "load", str(exports), "--db", str(db),
         "--json"],
        capture_output=True, text=True, timeout=300,
    )
    *stderr, peak_kb = run.stderr.strip().splitlines()
    return run.returncode, json.loads(run.stdout), "\n".join(stderr), int(peak_kb) / 1024


def test_a_300_kb_workbook_expanding_to_300_mb_is_refused_and_the_run_goes_on(
    tmp_path: Path,
) -> None:
    bomb = tmp_path / "exports" / "segnalazioni_2024-03-11.xlsx"
    bomb.parent.mkdir()
    shared_string_bomb(bomb, 300)
    assert bomb.stat().st_size < 400 * 1024
    (bomb.parent / "segnalazioni_2024-03-12.csv").write_text(CSV_TEXT, encoding="utf-8")
    small = tmp_path / "small" / "segnalazioni_2024-03-12.csv"
    small.parent.mkdir()
    small.write_text(CSV_TEXT, encoding="utf-8")
    (tmp_path / "db").mkdir()
    (tmp_path / "baseline").mkdir()

    code, results, stderr, peak_mb = load_measured(bomb.parent, tmp_path / "db" / "kasko.duckdb")
    _, _, _, baseline_mb = load_measured(small.parent, tmp_path / "baseline" / "kasko.duckdb")

    assert code == 1, stderr
    assert "Traceback" not in stderr
    assert [(Path(str(r["file"])).name, r["read"], r["loaded"], r["error"]) for r in results] == [
        ("segnalazioni_2024-03-11.xlsx", 0, 0,
         "segnalazioni_2024-03-11.xlsx: xl/sharedStrings.xml expands from"
         f" {_compressed(bomb):,} to {_expanded(bomb):,} bytes"
         f" ({_expanded(bomb) // _compressed(bomb):,} times): not a spreadsheet export"),
        ("segnalazioni_2024-03-12.csv", 1, 1, None),
    ]
    # reading the string would take 300 MB at least (DuckDB ran out of memory on it)
    assert peak_mb < 400, f"{peak_mb:.0f} MB"
    assert peak_mb - baseline_mb < 64, f"{peak_mb:.0f} MB against {baseline_mb:.0f} MB"


def _compressed(path: Path) -> int:
    return zipfile.ZipFile(path).getinfo("xl/sharedStrings.xml").compress_size


def _expanded(path: Path) -> int:
    return zipfile.ZipFile(path).getinfo("xl/sharedStrings.xml").file_size


def test_a_shared_string_no_excel_cell_holds_is_refused(
    exports: ExportFolder, warehouse: Warehouse
) -> None:
    # random letters compress like text: the expansion alone does not give it away
    letters = random.Random(7).choices(string.ascii_letters, k=300_000)
    path = exports.path / "segnalazioni_lungo.xlsx"
    template = zipfile.ZipFile(io.BytesIO(workbook([[*CLAIM.values()][:6] + ["LONG"]])))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in template.infolist():
            data = template.read(info.filename)
            archive.writestr(info.filename, data.replace(b"LONG", "".join(letters).encode()))

    results = warehouse.load(exports.path)

    assert [(r.read, r.error) for r in results] == [(0, (
        "segnalazioni_lungo.xlsx: a shared string is longer than the 32,767 characters an"
        " Excel cell holds: not a spreadsheet export"
    ))]


def test_one_long_string_in_many_cells_is_refused_before_it_is_read(
    exports: ExportFolder, warehouse: Warehouse
) -> None:
    # a 30,000-character string stored once, used by 10,000 cells: read, 300 MB of text
    text = "".join(random.Random(3).choices(string.ascii_letters, k=30_000))
    path = exports.binary("segnalazioni_ripetuto.xlsx",
                          workbook([[text]] * 10_000))
    assert path.stat().st_size < 1024 * 1024

    results = warehouse.load(exports.path)

    shared = zipfile.ZipFile(path).read("xl/sharedStrings.xml")
    items = re.findall(rb"<si>.*?</si>", shared)  # the headers, used once, and the text
    [item] = [i for i in items if len(i) > 30_000]
    used = 10_000 * len(item) + sum(len(i) for i in items if i != item)
    assert [(r.read, r.error) for r in results] == [(0, (
        f"segnalazioni_ripetuto.xlsx: the first sheet's cells hold {used:,} bytes"
        " of shared text (over 268,435,456): too large for an XLSX export, send it as CSV"
    ))]
