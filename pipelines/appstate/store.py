"""The store: one SQLAlchemy engine per database, transactions to read and to write in."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    Executable,
    Table,
    create_engine,
    event,
    exc,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import URL, make_url

from pipelines.appstate import tables
from pipelines.config import (
    APP_DB_ENV,
    configured_app_database,
    database_path,
    default_sqlite_path,
)

# How long a writer waits for another writer of the SQLite file.
SQLITE_BUSY_SECONDS = 15.0
# How long opening a PostgreSQL connection may take before the store counts as down.
CONNECT_TIMEOUT_SECONDS = 5
_WRITE = "kasko_write"


class StoreUnavailable(Exception):
    """The store cannot be reached or used; the message names it, never its credentials."""


class StoreBusy(StoreUnavailable):
    """Another process held the SQLite store for longer than writers wait."""


def store_url(warehouse: Path | None = None) -> URL:
    """$KASKO_APP_DB, else `[app] database_url` in kasko.toml, else SQLite beside the warehouse."""
    configured, from_environment = configured_app_database()
    if configured:
        try:
            url = make_url(configured)
        except exc.ArgumentError as error:
            # The text may hold a password: name the setting, not the value.
            raise StoreUnavailable(
                f"{APP_DB_ENV} or [app] database_url is not a database URL"
            ) from error
        if url.password is not None and not from_environment:
            raise StoreUnavailable(
                "[app] database_url must not hold a password: give it in PGPASSWORD "
                f"(or the whole URL in {APP_DB_ENV})"
            )
        return url
    path = default_sqlite_path(warehouse or database_path()).absolute()
    return URL.create("sqlite+pysqlite", database=str(path))


def without_password(url: URL) -> URL:
    """The URL minus its password (URL.set cannot remove one: None there means unchanged)."""
    return URL.create(url.drivername, url.username, None, url.host, url.port, url.database,
                      url.query)


def describe(url: URL) -> str:
    """The URL as it may be printed and logged: the password masked."""
    return url.render_as_string(hide_password=True)


@dataclass
class Store:
    """The dashboard's operational database behind SQLAlchemy Core.

    `read()` and `write()` give a connection inside one transaction, committed when the
    block ends and rolled back when it raises. Writers of one kind of state take turns
    through `bump` (PostgreSQL: a row lock; SQLite: writers always hold the file's lock).
    """

    url: URL
    engine: Engine
    migrated: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def is_sqlite(self) -> bool:
        return self.url.get_backend_name() == "sqlite"

    @property
    def is_postgresql(self) -> bool:
        return self.url.get_backend_name() == "postgresql"

    def __str__(self) -> str:
        return describe(self.url)

    @contextlib.contextmanager
    def read(self) -> Iterator[Connection]:
        with self._transaction(write=False) as con:
            yield con

    @contextlib.contextmanager
    def write(self) -> Iterator[Connection]:
        with self._transaction(write=True) as con:
            yield con

    @contextlib.contextmanager
    def _transaction(self, write: bool) -> Iterator[Connection]:
        try:
            with self.engine.connect() as con:
                con.execution_options(**{_WRITE: write})
                with con.begin():
                    yield con
        except exc.OperationalError as error:
            raise self._unavailable(error) from error
        except exc.DBAPIError as error:
            if error.connection_invalidated:
                raise self._unavailable(error) from error
            raise

    def _unavailable(self, error: exc.DBAPIError) -> StoreUnavailable:
        reason = str(error.orig).strip().splitlines()[0] if error.orig else type(error).__name__
        if self.is_sqlite and "locked" in reason:
            return StoreBusy(f"{self} is held by another process; try again in a moment")
        return StoreUnavailable(f"the app database {self} cannot be used: {reason}")

    def version(self, topic: str) -> int:
        """The counter of a kind of state: it changes with every committed write of that kind."""
        with self.read() as con:
            found = con.execute(
                select(tables.state_versions.c.version).where(
                    tables.state_versions.c.topic == topic
                )
            ).scalar_one_or_none()
        return found or 0

    def bump(self, con: Connection, topic: str) -> int:
        """In a write transaction: take the topic's turn and count one more change of it."""
        versions = tables.state_versions
        bumped = con.execute(
            update(versions)
            .where(versions.c.topic == topic)
            .values(version=versions.c.version + 1)
            .returning(versions.c.version)
        ).scalar_one_or_none()
        if bumped is None:
            con.execute(versions.insert().values(topic=topic, version=1))
            bumped = 1
        return int(bumped)

    def upsert(self, table: Table, values: dict[str, Any], keys: list[str]) -> Executable:
        """Insert a row, or update the row with the same keys (both backends' ON CONFLICT)."""
        dialect_insert = sqlite_insert if self.is_sqlite else postgresql_insert
        statement = dialect_insert(table).values(**values)
        return statement.on_conflict_do_update(
            index_elements=keys,
            set_={name: statement.excluded[name] for name in values if name not in keys},
        )

    def ping(self) -> bool:
        """Whether the store answers now."""
        try:
            with self.read() as con:
                con.exec_driver_sql("select 1")
        except StoreUnavailable:
            return False
        return True

    def dispose(self) -> None:
        self.engine.dispose()


def _sqlite_engine(url: URL) -> Engine:
    path = Path(url.database or "")
    path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url,
        connect_args={"timeout": SQLITE_BUSY_SECONDS, "check_same_thread": False},
        hide_parameters=True,
    )

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        # pysqlite's own transaction handling would commit before DDL; this module begins
        # every transaction itself instead (SQLAlchemy's documented recipe).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("pragma journal_mode = wal")
        cursor.execute("pragma synchronous = normal")
        cursor.execute(f"pragma busy_timeout = {int(SQLITE_BUSY_SECONDS * 1000)}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(con: Connection) -> None:
        # A writer takes the file's write lock at once, so a read-then-write cannot be
        # overtaken by another writer between its read and its write.
        write = con.get_execution_options().get(_WRITE, True)
        con.exec_driver_sql("begin immediate" if write else "begin")

    return engine


def _postgresql_engine(url: URL) -> Engine:
    return create_engine(
        url,
        pool_pre_ping=True,  # a connection lost while PostgreSQL restarted is replaced
        pool_size=5,
        max_overflow=10,
        hide_parameters=True,  # errors and logs never show bound values (password hashes)
        connect_args={
            "connect_timeout": CONNECT_TIMEOUT_SECONDS,
            "application_name": "kasko",
        },
    )


def create_store(url: URL | str) -> Store:
    """A store for a URL (no connection is opened yet)."""
    url = make_url(url) if isinstance(url, str) else url
    backend = url.get_backend_name()
    if backend == "sqlite":
        return Store(url, _sqlite_engine(url))
    if backend == "postgresql":
        return Store(url, _postgresql_engine(url))
    raise StoreUnavailable(f"{describe(url)}: the app database must be SQLite or PostgreSQL")


_stores: dict[str, Store] = {}
_stores_lock = threading.Lock()


def cached_store(url: URL) -> Store:
    """One store (one connection pool) per URL per process."""
    key = url.render_as_string(hide_password=False)
    with _stores_lock:
        store = _stores.get(key)
        if store is None:
            store = _stores[key] = create_store(url)
        return store


def forget_stores() -> None:
    """Close every pooled connection (tests, and processes that fork)."""
    with _stores_lock:
        for store in _stores.values():
            store.dispose()
        _stores.clear()
