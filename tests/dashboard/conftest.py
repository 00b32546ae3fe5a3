"""The dashboard's shared fixtures: the generated demo warehouse, and serving it.

`warehouse` is a small generated set loaded once per module; a test module opts in to
having it served (as `kasko serve --db` would) with `pytestmark = usefixtures("served")`.
Modules with hand-written fixtures define a `warehouse` of their own.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.dashboard.generated_warehouse import generated_warehouse


@pytest.fixture(scope="module")
def warehouse() -> Path:
    return generated_warehouse()


@pytest.fixture
def served(warehouse: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KASKO_DB", str(warehouse))
