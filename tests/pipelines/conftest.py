"""The pipelines' fixtures: export folders, row builders, warehouses (from exports.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.pipelines.exports import (
    SPEC_HEADERS,
    ExportFolder,
    RowBuilders,
    Warehouse,
)


@pytest.fixture
def exports(tmp_path: Path) -> ExportFolder:
    folder = tmp_path / "exports"
    folder.mkdir()
    return ExportFolder(folder)


@pytest.fixture
def warehouse(tmp_path: Path) -> Warehouse:
    return Warehouse(tmp_path / "warehouse" / "kasko.duckdb")


@pytest.fixture
def warehouse_at(tmp_path: Path) -> Callable[[str], Warehouse]:
    """Separate warehouses in one test, each in its own folder."""
    return lambda name: Warehouse(tmp_path / name / "kasko.duckdb")


@pytest.fixture
def spec_headers() -> dict[str, list[str]]:
    return {kind: list(headers) for kind, headers in SPEC_HEADERS.items()}


@pytest.fixture
def rows() -> RowBuilders:
    return RowBuilders()
