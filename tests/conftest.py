"""A PostgreSQL cluster of the tests' own, on a loopback port, for the store's second backend;
and a warehouse path whose store is on each backend in turn."""

from __future__ import annotations

import itertools
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from deploy.replicas import PostgresCluster, free_port
from pipelines import appstate

_databases = itertools.count(1)


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[PostgresCluster]:
    # Not under pytest's temporary folder: the cluster's user must be able to reach it.
    folder = Path(tempfile.mkdtemp(prefix="kasko-test-pg-"))
    cluster = PostgresCluster(folder, free_port()).start()
    try:
        yield cluster
    finally:
        cluster.stop("immediate")
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def postgres_url(postgres_cluster: PostgresCluster) -> str:
    """A new, empty database on the tests' cluster, as a URL with the app role's password."""
    url = postgres_cluster.create_database(f"test_{next(_databases)}")
    return url.render_as_string(hide_password=False)


@pytest.fixture(params=["sqlite", "postgresql"])
def warehouse_on_each_backend(request: pytest.FixtureRequest, tmp_path: Path,
                              monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A warehouse path whose store is SQLite beside it, or a new PostgreSQL database."""
    if request.param == "postgresql":
        monkeypatch.setenv(appstate.APP_DB_ENV, request.getfixturevalue("postgres_url"))
    else:
        monkeypatch.delenv(appstate.APP_DB_ENV, raising=False)
    yield tmp_path / "kasko.duckdb"
    appstate.forget_stores()
