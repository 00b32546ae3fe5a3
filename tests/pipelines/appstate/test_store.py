"""The store on both backends: migrations, the one-time import, versions, turns, outages."""

from __future__ import annotations

import gzip
import os
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import inspect, select, text

from deploy.replicas import PostgresCluster, free_port
from pipelines import appstate
from pipelines.appstate import accounts, tables
from pipelines.appstate import store as store_module
from pipelines.appstate import upgrade as upgrade_module
from pipelines.config import app_database_path

FIXTURES = Path(__file__).parent / "fixtures"
APP_TABLES = {"accounts", "sign_in_attempts", "enablement_changes", "state_versions",
              "legacy_imports", "alembic_version", "intake_handovers", "intake_addresses",
              "intake_requests", "intake_documents", "intake_audit", "intake_counters"}


@pytest.fixture
def warehouse(warehouse_on_each_backend: Path) -> Path:
    return warehouse_on_each_backend


def legacy_file(warehouse: Path) -> Path:
    """The DuckDB app database the earlier release wrote, where that release kept it."""
    target = app_database_path(warehouse)
    target.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(FIXTURES / "legacy.app.duckdb.gz") as packed:
        target.write_bytes(packed.read())
    return target


def table_names(store: appstate.Store) -> set[str]:
    with store.read() as con:
        return set(inspect(con).get_table_names())


def rows(store: appstate.Store, table: str, order: str) -> list[tuple]:
    with store.read() as con:
        return [tuple(row) for row in con.execute(
            select(tables.metadata.tables[table]).order_by(text(order))
        )]


def test_a_new_store_is_migrated_once(warehouse: Path) -> None:
    store, first = appstate.migrate_for(warehouse)
    assert (first.before, first.after, first.imported) == (None, appstate.head_revision(), None)
    assert table_names(store) == APP_TABLES
    again = appstate.migrate_for(warehouse)[1]
    assert (again.before, again.after) == (first.after, first.after)
    assert appstate.current_revision(store) == appstate.head_revision()
    assert store.version(tables.ENABLEMENTS) == 0


def test_the_earlier_duckdb_app_database_is_imported_once_with_ids_and_times(
    warehouse: Path,
) -> None:
    legacy = legacy_file(warehouse)
    store, result = appstate.migrate_for(warehouse)
    assert result.imported == appstate.LegacyImport(legacy, 3, 5, 3)
    hashes = dict((login, hash_) for login, hash_, _ in rows(store, "accounts", "login"))
    assert sorted(hashes) == ["legale@bianchi.it", "management@kasko.demo", "mandatario@rossi.it"]
    assert hashes["mandatario@rossi.it"].startswith("$argon2id$v=19$m=1024,t=1,p=1$")
    assert rows(store, "accounts", "login")[2][2] == datetime(2026, 11, 2, 9, 0)
    assert [row[1:] for row in rows(store, "sign_in_attempts", "attempt_id")] == [
        ("mandatario@rossi.it", datetime(2026, 11, 2, 9, 1, 30), False, False),
        ("mandatario@rossi.it", datetime(2026, 11, 2, 9, 2), True, False),
        ("nobody@rossi.it", datetime(2026, 11, 2, 9, 2, 30), False, False),
        ("nobody@rossi.it", datetime(2026, 11, 2, 9, 3), False, True),
        ("legale@bianchi.it", datetime(2026, 11, 2, 9, 3, 30), True, False),
    ]
    assert rows(store, "enablement_changes", "change_id") == [
        (1, datetime(2026, 11, 3, 10, 15, 0, 123456), "mandatario@rossi.it", "C001",
         "3331234567", None, True, "dashboard"),
        (2, datetime(2026, 11, 3, 10, 15, 0, 123456), "mandatario@rossi.it", "C001",
         "3337654321", True, False, "dashboard"),
        (3, datetime(2026, 11, 4, 17, 45, 30), "legale@bianchi.it", "C002", "3470000001",
         False, True, "dashboard"),
    ]
    version = store.version(tables.ENABLEMENTS)
    assert version > 0  # caches filled before the import do not survive it
    # a second start imports nothing again, even with the file still there
    assert appstate.migrate_for(warehouse)[1].imported is None
    assert len(rows(store, "enablement_changes", "change_id")) == 3
    # the next change comes after the imported ones
    with accounts.enablement_transaction(warehouse) as con:
        accounts.append_enablement_changes(
            con, "legale@bianchi.it",
            [accounts.EnablementChange("C002", "3470000001", True, False)],
            datetime(2026, 12, 1, 8, 0),
        )
    assert [row[0] for row in rows(store, "enablement_changes", "change_id")] == [1, 2, 3, 4]
    assert store.version(tables.ENABLEMENTS) == version + 1
    # the imported hashes still sign people in (checked by the release's code)
    assert accounts.Passwords().verify(hashes["legale@bianchi.it"], "Legacy-Legale-2026")


def test_the_import_is_the_first_migration_of_any_entry_point(warehouse: Path) -> None:
    legacy_file(warehouse)
    facts = accounts.sign_in_facts(warehouse, "NOBODY@rossi.it", datetime(2026, 11, 2))
    assert facts == accounts.SignInFacts(None, [datetime(2026, 11, 2, 9, 2, 30)])
    changes = accounts.enablement_changes(warehouse, ["C001"]).to_pylist()
    assert [(c["change_id"], c["nmu"], c["enabled_before"]) for c in changes] == [
        (1, "3331234567", None), (2, "3337654321", True)
    ]


FAILING_REVISION = '''
"""A revision that fails half-way."""
import sqlalchemy as sa
from alembic import op

revision = "9999"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table("half_done", sa.Column("id", sa.Integer, primary_key=True))
    op.add_column("accounts", sa.Column("extra", sa.String(10)))
    op.execute("insert into accounts (login, password_hash, updated_at) "
               "values ('new@x.it', 'h', '2026-01-01 00:00:00')")
    raise RuntimeError("this revision fails")


def downgrade():
    pass
'''


def add_failing_revision(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The release's revisions, then one that fails after changing tables and rows."""
    versions = tmp_path / "more_versions"
    versions.mkdir()
    (versions / "9999_fails.py").write_text(
        FAILING_REVISION.format(head=appstate.head_revision()), encoding="utf-8"
    )
    shipped = Path(upgrade_module.__file__).parent / "migrations" / "versions"
    original = upgrade_module.alembic_config

    def with_failing_revision(connection=None):  # type: ignore[no-untyped-def]
        config = original(connection)
        config.set_main_option("version_locations", os.pathsep.join([str(shipped), str(versions)]))
        return config

    monkeypatch.setattr(upgrade_module, "alembic_config", with_failing_revision)


def test_a_failed_migration_of_a_new_store_leaves_nothing(
    warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    legacy_file(warehouse)
    add_failing_revision(tmp_path, monkeypatch)
    with pytest.raises(appstate.MigrationFailed, match="this revision fails"):
        appstate.migrate_for(warehouse)
    store = appstate.create_store(appstate.store_url(warehouse))
    try:
        assert table_names(store) == set()
    finally:
        store.dispose()


def test_a_failed_migration_leaves_the_store_as_it_was(
    warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    legacy_file(warehouse)
    store, _ = appstate.migrate_for(warehouse)
    before = {name: rows(store, name, "1") for name in APP_TABLES - {"alembic_version"}}
    shipped_head = appstate.head_revision()
    add_failing_revision(tmp_path, monkeypatch)
    with pytest.raises(appstate.MigrationFailed, match="nothing was changed"):
        appstate.migrate_for(warehouse)
    assert table_names(store) == APP_TABLES
    assert appstate.current_revision(store) == shipped_head
    assert {name: rows(store, name, "1") for name in before} == before
    with store.read() as con:
        columns = {column["name"] for column in inspect(con).get_columns("accounts")}
    assert columns == {"login", "password_hash", "updated_at"}


def test_accounts_and_sign_ins_on_the_store(
    warehouse: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from argon2 import PasswordHasher

    monkeypatch.setattr(accounts, "passwords", accounts.Passwords(
        PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)))
    times = iter(datetime(2026, 12, 1, 9, minute) for minute in range(60))
    monkeypatch.setattr(accounts, "local_now", lambda: next(times))
    accounts.set_password(warehouse, "Anna@Rossi.it", "First-Password-1")
    accounts.set_password(warehouse, "anna@rossi.it", "Second-Password-2")  # replaces it
    accounts.record_sign_in(warehouse, "anna@rossi.it", success=False)  # 9:02
    accounts.record_sign_in(warehouse, "anna@rossi.it", success=True)  # 9:03
    accounts.record_sign_in(warehouse, "ANNA@rossi.it", success=False)  # 9:04
    accounts.record_sign_in(warehouse, "anna@rossi.it", success=False, throttled=True)  # 9:05
    accounts.record_sign_in(warehouse, "anna@rossi.it", success=False)  # 9:06
    facts = accounts.sign_in_facts(warehouse, "anna@rossi.it", datetime(2026, 12, 1))
    assert facts.failures == [datetime(2026, 12, 1, 9, 4), datetime(2026, 12, 1, 9, 6)]
    assert facts.password_hash is not None
    assert accounts.passwords.verify(facts.password_hash, "Second-Password-2")
    assert not accounts.passwords.verify(facts.password_hash, "First-Password-1")
    # the window: failures before `since` are not counted
    later = accounts.sign_in_facts(warehouse, "anna@rossi.it", datetime(2026, 12, 1, 9, 5))
    assert later.failures == [datetime(2026, 12, 1, 9, 6)]
    # a success with a new hash stores it in the same transaction
    accounts.record_sign_in(warehouse, "anna@rossi.it", success=True, new_password_hash="$new$")
    assert accounts.sign_in_facts(warehouse, "anna@rossi.it", datetime(2026, 12, 1)) == (
        accounts.SignInFacts("$new$", [])
    )


def test_an_enablement_change_moves_the_version_every_process_reads(warehouse: Path) -> None:
    store = appstate.store_for(warehouse)
    # another process: its own engine and connections on the same database
    other = appstate.create_store(store.url)
    try:
        seen = other.version(tables.ENABLEMENTS)
        with accounts.enablement_transaction(warehouse) as con:
            accounts.append_enablement_changes(
                con, "m@x.it", [accounts.EnablementChange("C1", "3330000001", None, True)],
                datetime(2026, 12, 1, 9, 0),
            )
            assert other.version(tables.ENABLEMENTS) == seen  # not before it commits
        assert other.version(tables.ENABLEMENTS) == seen + 1
        with other.read() as con:
            changes = accounts.read_enablement_changes(con, ["C1"]).to_pylist()
        assert [(c["nmu"], c["enabled_after"]) for c in changes] == [("3330000001", True)]
    finally:
        other.dispose()


def test_enablement_writers_take_turns(warehouse: Path) -> None:
    """A writer that read the lines' states is never overtaken before it appends."""
    appstate.store_for(warehouse)
    first_in = threading.Event()
    order: list[str] = []

    def first() -> None:
        with accounts.enablement_transaction(warehouse) as con:
            first_in.set()
            time.sleep(0.5)
            accounts.append_enablement_changes(
                con, "a@x.it", [accounts.EnablementChange("C1", "3330000001", None, True)],
                datetime(2026, 12, 1, 9, 0),
            )
            order.append("first appended")

    writer = threading.Thread(target=first)
    writer.start()
    assert first_in.wait(10)
    with accounts.enablement_transaction(warehouse) as con:
        order.append("second read")
        seen = accounts.read_enablement_changes(con, ["C1"]).to_pylist()
    writer.join(10)
    assert order == ["first appended", "second read"]
    assert [c["changed_by"] for c in seen] == ["a@x.it"]


def test_the_password_never_shows_in_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = "S3cret-Pass-Word"
    url = f"postgresql+psycopg://kasko:{secret}@127.0.0.1:{free_port()}/kasko"
    store = appstate.create_store(url)
    with pytest.raises(appstate.StoreUnavailable) as raised:
        store.version(tables.ENABLEMENTS)
    assert secret not in str(raised.value) and "kasko:***@127.0.0.1" in str(raised.value)
    assert store.ping() is False
    monkeypatch.setenv(appstate.APP_DB_ENV, url)
    for command in (["serve", "--port", str(free_port())], ["app", "migrate"]):
        done = subprocess.run(
            [sys.executable, "-m", "pipelines.cli", *command, "--db", str(tmp_path / "k.duckdb")],
            capture_output=True, text=True, timeout=60,
        )
        assert done.returncode == 1, done.stderr
        assert done.stdout == ""
        lines = done.stderr.splitlines()
        assert len(lines) == 1 and "cannot be used" in lines[0], done.stderr
        assert secret not in done.stderr and "Traceback" not in done.stderr


def test_postgresql_lost_and_back(tmp_path: Path) -> None:
    """Connections lost with the server are replaced once it answers again: no restart."""
    import tempfile

    cluster = PostgresCluster(Path(tempfile.mkdtemp(prefix="kasko-test-pg-")), free_port())
    cluster.start()
    try:
        store = appstate.create_store(cluster.url(with_password=True))
        appstate.migrate(store)
        assert store.version(tables.ENABLEMENTS) == 0
        cluster.stop("immediate")
        with pytest.raises(appstate.StoreUnavailable):
            store.version(tables.ENABLEMENTS)
        assert store.ping() is False
        cluster.start()
        assert store.ping() is True
        with store.write() as con:
            assert store.bump(con, tables.ENABLEMENTS) == 1
        store.dispose()
    finally:
        cluster.stop("immediate")


def test_the_url_in_kasko_toml_and_the_password_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, postgres_url: str
) -> None:
    from sqlalchemy.engine import make_url

    from pipelines.config import settings

    url = make_url(postgres_url)
    config = tmp_path / "kasko.toml"
    monkeypatch.delenv(appstate.APP_DB_ENV, raising=False)
    monkeypatch.setenv("KASKO_CONFIG", str(config))
    monkeypatch.setenv("PGPASSWORD", url.password or "")
    config.write_text(f'[app]\ndatabase_url = "{postgres_url}"\n', encoding="utf-8")
    settings.cache_clear()
    try:
        with pytest.raises(appstate.StoreUnavailable, match="must not hold a password") as refused:
            appstate.store_url(tmp_path / "kasko.duckdb")
        assert (url.password or "") not in str(refused.value)
        without = appstate.without_password(url).render_as_string(hide_password=False)
        assert (url.password or "") not in without
        config.write_text(f'[app]\ndatabase_url = "{without}"\n', encoding="utf-8")
        settings.cache_clear()
        store, result = appstate.migrate_for(tmp_path / "kasko.duckdb")
        assert store.is_postgresql and result.after == appstate.head_revision()
        assert not appstate.default_sqlite_path(tmp_path / "kasko.duckdb").exists()
    finally:
        settings.cache_clear()
        appstate.forget_stores()


def test_kasko_app_migrate(warehouse: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from pipelines.cli import main

    legacy = legacy_file(warehouse)
    assert main(["app", "migrate", "--db", str(warehouse)]) == 0
    first = capsys.readouterr()
    store = appstate.store_for(warehouse)
    assert first.out == ""
    assert first.err.splitlines() == [
        f"kasko app migrate: app database {store} migrated from nothing to "
        f"{appstate.head_revision()}",
        f"kasko app migrate: imported {legacy}: 3 accounts, 5 sign-in attempts, "
        "3 enablement changes",
    ]
    assert main(["app", "migrate", "--db", str(warehouse)]) == 0
    assert capsys.readouterr().err == (
        f"kasko app migrate: app database {store} is at {appstate.head_revision()}\n")


def test_a_store_of_the_previous_release_gains_the_intake_keeping_its_rows(
    warehouse: Path,
) -> None:
    from alembic import command

    store = appstate.create_store(appstate.store_url(warehouse))
    try:
        with store.write() as con:
            command.upgrade(upgrade_module.alembic_config(con), "0001")
            con.execute(tables.accounts.insert().values(
                login="a@x.it", password_hash="h", updated_at=datetime(2026, 1, 1)))
    finally:
        store.dispose()
    store, result = appstate.migrate_for(warehouse)
    assert (result.before, result.after) == ("0001", "0002")
    assert table_names(store) == APP_TABLES
    assert rows(store, "accounts", "login") == [("a@x.it", "h", datetime(2026, 1, 1))]
    assert store.version(tables.INTAKE) == 0
    with store.read() as con:
        assert con.execute(select(tables.intake_counters)).all() == [("request_number", 0)]


def test_a_sqlite_store_held_by_another_process_is_waited_for_then_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A writer waits its turn up to SQLITE_BUSY_SECONDS: it gets the store when the other
    writer commits in time, and is told the store is busy when it does not."""
    monkeypatch.delenv(appstate.APP_DB_ENV, raising=False)
    monkeypatch.setattr(store_module, "SQLITE_BUSY_SECONDS", 1.0)  # read as engines are made
    warehouse = tmp_path / "kasko.duckdb"
    store = appstate.store_for(warehouse)
    # another process's writer: a connection of its own holding the file's write lock
    assert store.is_sqlite and store.url.database
    holder = sqlite3.connect(store.url.database, isolation_level=None,
                             check_same_thread=False)
    try:
        holder.execute("begin immediate")
        releaser = threading.Timer(0.3, lambda: holder.execute("commit"))
        releaser.start()
        with store.write() as con:
            assert store.bump(con, "test") == 1  # waited for the commit, then wrote
        releaser.join()

        holder.execute("begin immediate")
        began = time.monotonic()
        with pytest.raises(appstate.StoreBusy,
                           match=r"is held by another process; try again in a moment$"):
            with store.write() as con:
                store.bump(con, "test")
        assert time.monotonic() - began >= 1.0  # it waited the whole turn first
        holder.execute("rollback")
    finally:
        holder.close()
    assert store.version("test") == 1  # the first write is in, the refused one is not
    appstate.forget_stores()
