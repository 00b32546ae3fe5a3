"""The dashboard keeps answering during a load, loses no change of its own, shares the app DB."""

from __future__ import annotations

import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from dashboard.access import auth, data
from dashboard.access.connections import connections
from dashboard.access.data import ClaimFilters
from dashboard.access.principal import Principal
from pipelines.appstate import accounts
from pipelines.ingest.load import load_paths

FIXTURES = Path(__file__).parents[1] / "fixtures" / "access"
LATER_CLAIMS = "segnalazioni_2025-03-14.csv"
AS_OF = date(2025, 3, 14)
MANAGEMENT = Principal("direzione@carrier.it", "Marta Direzione", "Management")
MANDATARIO_BETA = Principal("mandatario@beta.it", "Mario Mandatario", "Mandatario", "Y002")
BETA_ENABLED, BETA_NEVER_ENABLED = "3332000001", "3332000002"
READER_THREADS = 3

COUNTS = """
    select (select count(*) from core.claims), (select count(*) from core.claims_versions),
           (select count(*) from raw.load_log), (select count(*) from core.calendar)
"""


def claims_answer(db: Path) -> tuple[Any, ...]:
    """What Management's claims list shows: every claim with its SLA state, as of AS_OF."""
    claims = data.list_claims(MANAGEMENT, ClaimFilters(view="history"), as_of=AS_OF, warehouse=db)
    return tuple(zip(claims["request_number"], claims["status"], claims["sla_state"],
                     strict=True))


def counts_answer(db: Path) -> tuple[int, ...]:
    with connections.cursor(db) as cursor:
        return cursor.execute(COUNTS).fetchone()


ANSWERS: dict[str, Callable[[Path], tuple[Any, ...]]] = {
    "claims": claims_answer, "counts": counts_answer,
}


@dataclass
class States:
    base: Path  # the warehouse after the earlier load
    later: Path  # the folder of the later load
    before: dict[str, tuple[Any, ...]]
    after: dict[str, tuple[Any, ...]]


@pytest.fixture(scope="module")
def states(tmp_path_factory: pytest.TempPathFactory) -> States:
    root = tmp_path_factory.mktemp("concurrency")
    earlier, later = root / "earlier", root / "later"
    earlier.mkdir()
    later.mkdir()
    for path in FIXTURES.iterdir():
        if path.name != LATER_CLAIMS:
            shutil.copyfile(path, earlier / path.name)
    # the later load: the new claims, then the same export re-sent with a note column four
    # times (each a new file to load), so that the load lasts a few seconds
    text = (FIXTURES / LATER_CLAIMS).read_text(encoding="utf-8")
    (later / LATER_CLAIMS).write_text(text, encoding="utf-8")
    for day in range(15, 19):
        noted = "\n".join(f"{row};{'Nota' if i == 0 else day}"
                          for i, row in enumerate(text.splitlines()))
        (later / f"segnalazioni_2025-03-{day}.csv").write_text(noted + "\n", encoding="utf-8")

    base = root / "base" / "kasko.duckdb"
    assert [r.error for r in load_paths([earlier], base) if r.error] == []
    reference = root / "reference" / "kasko.duckdb"
    reference.parent.mkdir()
    shutil.copyfile(base, reference)
    assert [r.error for r in load_paths([later], reference) if r.error] == []
    before = {name: answer(base) for name, answer in ANSWERS.items()}
    after = {name: answer(reference) for name, answer in ANSWERS.items()}
    assert all(before[name] != after[name] for name in ANSWERS)
    return States(base, later, before, after)


def served_copy(states: States, tmp_path: Path) -> Path:
    db = tmp_path / "served" / "kasko.duckdb"
    db.parent.mkdir()
    shutil.copyfile(states.base, db)
    return db


@dataclass
class Readers:
    """Threads asking the data layer the same questions over and over until stopped."""

    db: Path
    answers: list[tuple[str, tuple[Any, ...]]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)
    threads: list[threading.Thread] = field(default_factory=list)

    def start(self, count: int = READER_THREADS) -> None:
        for number in range(count):
            names = list(ANSWERS)[number % len(ANSWERS):] + list(ANSWERS)[:number % len(ANSWERS)]
            thread = threading.Thread(target=self._ask, args=(names,), daemon=True)
            thread.start()
            self.threads.append(thread)

    def _ask(self, names: list[str]) -> None:
        while not self.stop.is_set():
            for name in names:
                try:
                    self.answers.append((name, ANSWERS[name](self.db)))
                except Exception as error:  # noqa: BLE001 - every failure is the finding
                    self.errors.append(f"{name}: {error!r}")
                time.sleep(0.01)  # a user's pace, not a busy loop

    def finish(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=60)


@dataclass
class LoadRun:
    db: Path
    returncode: int
    answers: list[tuple[str, tuple[Any, ...]]]
    errors: list[str]
    changed_lines: int  # set_enablement's answer during the load
    load_was_running: bool  # the load was still going when the change was made


@pytest.fixture(scope="module")
def load_run(states: States, tmp_path_factory: pytest.TempPathFactory) -> LoadRun:
    db = served_copy(states, tmp_path_factory.mktemp("load-run"))
    readers = Readers(db)
    readers.start()
    time.sleep(0.5)  # answers from before the load starts
    load = subprocess.Popen(
        [sys.executable, "-m", "pipelines.cli", "load", str(states.later), "--db", str(db)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    copy = db.with_name(db.name + ".loading")
    deadline = time.monotonic() + 60
    while not copy.exists() and load.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    # an enablement change while the load writes its copy of the warehouse
    changed = data.set_enablement(MANDATARIO_BETA, "Y002", [BETA_NEVER_ENABLED], True,
                                  warehouse=db)
    running = load.poll() is None
    _, stderr = load.communicate(timeout=120)
    assert load.returncode == 0, stderr
    # answers from after the swap: every query answered at least once more (a busy machine
    # may take longer than a second to go round them all)
    swapped_at = len(readers.answers)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and {
        name for name, _ in readers.answers[swapped_at:]
    } != set(ANSWERS):
        time.sleep(0.05)
    readers.finish()
    return LoadRun(db, load.returncode, readers.answers, readers.errors, changed, running)


def test_readers_see_the_state_before_or_after_a_load_never_a_mix(
    states: States, load_run: LoadRun
) -> None:
    assert load_run.errors == []
    assert len(load_run.answers) > 20
    seen: dict[str, set[str]] = {name: set() for name in ANSWERS}
    for name, answer in load_run.answers:
        if answer == states.before[name]:
            seen[name].add("before")
        elif answer == states.after[name]:
            seen[name].add("after")
        else:
            pytest.fail(f"{name}: an answer that is neither before nor after the load: {answer}")
    assert seen == {name: {"before", "after"} for name in ANSWERS}
    # once the load is over, only the new state is served
    last = {name: answer for name, answer in load_run.answers}
    assert last == states.after


def test_an_enablement_change_made_during_a_load_is_kept(load_run: LoadRun) -> None:
    assert (load_run.changed_lines, load_run.load_was_running) == (1, True)
    lines = data.list_lines(MANDATARIO_BETA, "Y002", warehouse=load_run.db)
    states = dict(zip(lines["nmu"], zip(lines["enabled"], lines["enabled_source"], strict=True),
                      strict=True))
    assert states[BETA_NEVER_ENABLED] == (True, "dashboard")
    assert states[BETA_ENABLED] == (True, "export")
    changes = accounts.enablement_changes(load_run.db, ["Y002"]).to_pylist()
    assert [(c["changed_by"], c["nmu"], c["enabled_before"], c["enabled_after"])
            for c in changes] == [("mandatario@beta.it", BETA_NEVER_ENABLED, None, True)]


def test_set_password_from_another_process_while_the_dashboard_works(
    states: States, tmp_path: Path
) -> None:
    db = served_copy(states, tmp_path)
    password = "Una-Password-Lunga-2026"
    errors: list[str] = []
    stop = threading.Event()
    writes = 0

    def dashboard_writes() -> None:
        """A Mandatario switching a line on and off: short app-database writes, back to back."""
        nonlocal writes
        enabled = False
        while not stop.is_set():
            enabled = not enabled
            try:
                data.set_enablement(MANDATARIO_BETA, "Y002", [BETA_NEVER_ENABLED], enabled,
                                    warehouse=db)
                data.audit_trail(MANDATARIO_BETA, "Y002", warehouse=db)
                writes += 1
            except Exception as error:  # noqa: BLE001 - every failure is the finding
                errors.append(repr(error))

    readers = Readers(db)
    readers.start(2)
    writer = threading.Thread(target=dashboard_writes, daemon=True)
    writer.start()
    with connections.cursor(db) as held:  # a query of this process keeps the warehouse open
        held.execute("select count(*) from core.claims").fetchone()
        run = subprocess.run(
            [sys.executable, "-m", "pipelines.cli", "users", "set-password",
             "mandatario@beta.it", "--db", str(db), "--password-stdin"],
            input=password + "\n", capture_output=True, text=True, timeout=120,
        )
        writes_during_command = writes
    stop.set()
    writer.join(timeout=60)
    readers.finish()

    assert (run.returncode, run.stdout.strip()) == (0, "password set for mandatario@beta.it"), (
        run.stderr
    )
    assert errors == [] and readers.errors == []
    assert writes_during_command > 0
    signed_in = auth.authenticate(db, "mandatario@beta.it", password)
    assert signed_in is not None and (signed_in.login, signed_in.profile) == (
        "mandatario@beta.it", "Mandatario"
    )


def test_the_dashboard_lets_go_of_a_replaced_file_for_the_next_load_to_rewrite(
    states: States, tmp_path: Path
) -> None:
    """Once the data layer has moved to the new file, nothing holds the one a load replaced,
    and the next load copies the warehouse into it rather than into a new file."""
    db = served_copy(states, tmp_path)
    first = db.stat().st_ino
    assert counts_answer(db) == states.before["counts"]  # the data layer reads `first`
    load_paths([states.later / LATER_CLAIMS], db)
    assert db.with_name(db.name + ".previous").stat().st_ino == first
    assert counts_answer(db) != states.before["counts"]  # now on the new file
    load_paths([states.later / "segnalazioni_2025-03-15.csv"], db)
    assert db.stat().st_ino == first
    assert counts_answer(db)[2] == states.before["counts"][2] + 2  # two more loads logged


def test_a_file_the_dashboard_still_reads_is_not_rewritten_by_the_next_load(
    states: States, tmp_path: Path
) -> None:
    """Until its next query moves it to the new file, the data layer keeps reading the
    file a load replaced: the load after that copies into a new file instead."""
    db = served_copy(states, tmp_path)
    first = db.stat().st_ino
    assert counts_answer(db) == states.before["counts"]  # the data layer reads `first`
    load_paths([states.later / LATER_CLAIMS], db)
    load_paths([states.later / "segnalazioni_2025-03-15.csv"], db)  # `first` still read
    assert first not in {db.stat().st_ino, db.with_name(db.name + ".previous").stat().st_ino}
    assert counts_answer(db)[2] == states.before["counts"][2] + 2  # the newest file
