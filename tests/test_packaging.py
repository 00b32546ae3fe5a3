"""A real `pip install .`: the wheel carries every module, sql/ and templates, and works anywhere.

The wheel is installed into a fresh virtual environment whose third-party packages come
from the project's locked environment (a .pth line), so that the test needs no network
and checks exactly what the wheel itself ships.
"""

from __future__ import annotations

import csv
import os
import shutil
import socket
import subprocess
import sys
import sysconfig
import time
import urllib.request
import zipfile
from pathlib import Path

import openpyxl
import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "pipelines" / "fixtures" / "sla"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # built from a copy: setuptools leaves build/ behind, and stale files in it would ship
    source = tmp_path_factory.mktemp("source")
    for name in ("pipelines", "dashboard", "sql"):
        shutil.copytree(ROOT / name, source / name, symlinks=True,
                        ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "--quiet", "-w", str(out), str(source)],
        check=True, capture_output=True, text=True,
    )
    (built,) = out.glob("kasko_ops-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with the wheel installed; returns its bin/ folder."""
    venv = tmp_path_factory.mktemp("venv") / "env"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    purelib = next((venv / "lib").glob("python3*/site-packages"))
    (purelib / "locked_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--no-deps",
         "--no-index", str(wheel)],
        check=True, capture_output=True, text=True,
    )
    return venv / "bin"


def test_the_wheel_ships_every_module_and_data_file(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped_modules = {name for name in names if name.endswith(".py")}
    source_modules = {
        path.relative_to(ROOT).as_posix()
        for package in ("pipelines", "dashboard")
        for path in (ROOT / package).rglob("*.py")
    }
    assert shipped_modules == source_modules
    for sql in (ROOT / "sql").rglob("*.sql"):
        assert f"pipelines/sql/{sql.relative_to(ROOT / 'sql').as_posix()}" in names
    assert "pipelines/reports/templates/monthly_report.html.j2" in names
    assert "dashboard/.streamlit/config.toml" in names


def _kasko(bin_dir: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KASKO_", "PYTHON"))}
    return subprocess.run([str(bin_dir / "kasko"), *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


def test_the_installed_kasko_loads_exports_and_reports_from_any_folder(
    installed: Path, tmp_path: Path
) -> None:
    loaded = _kasko(installed, tmp_path, "load", str(FIXTURES), "--json")
    assert loaded.returncode == 0, loaded.stderr
    assert (tmp_path / "data" / "kasko.duckdb").is_file()
    # no app store yet: the load acknowledges no request and creates no store
    assert not (tmp_path / "data" / "kasko.app.sqlite").exists()

    exported = _kasko(installed, tmp_path, "export", "tickets", "--out", "tickets.csv",
                      "--as-of", "2025-03-14")
    assert exported.returncode == 0, exported.stderr
    with open(FIXTURES.parent / "sla_expected_tickets_2025-03-14.csv", encoding="utf-8") as f:
        expected = list(csv.reader(f))
    with open(tmp_path / "tickets.csv", encoding="utf-8") as f:
        assert list(csv.reader(f)) == expected

    reported = _kasko(installed, tmp_path, "report", "--month", "2025-03", "--out",
                      "report.xlsx", "--as-of", "2025-03-14")
    assert reported.returncode == 0, reported.stderr
    summary = openpyxl.load_workbook(tmp_path / "report.xlsx")["Riepilogo"]
    assert summary["A1"].value == "Report SLA — marzo 2025"
    page = _kasko(installed, tmp_path, "report", "--month", "2025-03", "--out", "report.html",
                  "--as-of", "2025-03-14")
    assert page.returncode == 0, page.stderr
    assert "<h1>Report SLA — marzo 2025</h1>" in (tmp_path / "report.html").read_text()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_installed_kasko_serves_the_dashboard(installed: Path, tmp_path: Path) -> None:
    assert _kasko(installed, tmp_path, "load", str(FIXTURES)).returncode == 0
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KASKO_", "PYTHON"))}
    server = subprocess.Popen(
        [str(installed / "kasko"), "serve", "--port", str(port)], cwd=tmp_path, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    try:
        deadline, health = time.monotonic() + 60, None
        while time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health") as r:
                    health = r.read().decode()
                    break
            except OSError:
                time.sleep(0.5)
        assert health == "ok", server.stderr.read() if server.poll() is not None else health
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/") as response:
            assert response.status == 200
            assert '<div id="root">' in response.read().decode()
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_the_load_path_imports_neither_faker_nor_the_demo(installed: Path, tmp_path: Path) -> None:
    probe = (
        "import sys\n"
        "from pathlib import Path\n"
        "from pipelines.ingest.load import load_paths\n"
        f"load_paths([Path({str(FIXTURES)!r})], Path('w.duckdb'))\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('faker', 'pipelines')))\n"
    )
    run = subprocess.run([str(installed / "python"), "-c", probe], cwd=tmp_path,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    modules = run.stdout
    assert "pipelines.ingest.load" in modules
    assert "faker" not in modules and "pipelines.demo" not in modules
