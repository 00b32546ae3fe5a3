"""Imports run one way: dashboard -> dashboard.access -> pipelines; ingest -> warehouse.

Every module of the shipped packages is read (imports inside functions included) and
each import is checked against the layer it may use. A layer lists what it may import
besides itself; the foundation modules are the shared vocabulary every layer may use.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

FOUNDATION = {
    "pipelines", "pipelines.config", "pipelines.contract", "pipelines.errors",
    "pipelines.output", "pipelines.progress", "pipelines.safe_cells", "pipelines.sqlfiles",
    "pipelines.vocabulary",
}
# layer -> the layers it may import (besides itself and the foundation)
MAY_IMPORT = {
    "foundation": set(),
    "pipelines.warehouse": set(),
    "pipelines.ingest": {"pipelines.warehouse"},
    "pipelines.reports": {"pipelines.warehouse"},
    "pipelines.appstate": {"pipelines.warehouse"},
    "pipelines.intake": {"pipelines.warehouse", "pipelines.appstate"},
    "pipelines.demo": set(),
    "pipelines.cli": {
        "pipelines.warehouse", "pipelines.ingest", "pipelines.reports", "pipelines.appstate",
        "pipelines.intake", "pipelines.demo",
    },
    "dashboard.access": {
        "pipelines.warehouse", "pipelines.reports", "pipelines.appstate", "pipelines.intake",
    },
    "dashboard": {"dashboard.access"},
}


def layer_of(module: str) -> str:
    if module in FOUNDATION:
        return "foundation"
    for layer in sorted(MAY_IMPORT, key=len, reverse=True):
        if module == layer or module.startswith(layer + "."):
            return layer
    raise AssertionError(f"{module} belongs to no layer: add it to the architecture")


def modules() -> list[tuple[str, Path]]:
    found = []
    for package in ("pipelines", "dashboard"):
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue  # Alembic's revision scripts import sqlalchemy and alembic only
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found.append((name, path))
    return found


def imported(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {name for name in names if name.split(".")[0] in ("pipelines", "dashboard")}


def known(name: str, all_modules: set[str]) -> str | None:
    """The module an imported name is (`from pipelines import config` names a module)."""
    while name and name not in all_modules:
        name = name.rpartition(".")[0]
    return name or None


@pytest.mark.parametrize(("module", "path"), modules(), ids=[m for m, _ in modules()])
def test_imports_run_one_way(module: str, path: Path) -> None:
    all_modules = {m for m, _ in modules()}
    own = layer_of(module)
    allowed = MAY_IMPORT[own] | {own, "foundation"}
    wrong = sorted(
        target for name in imported(path)
        if (target := known(name, all_modules)) and layer_of(target) not in allowed
    )
    assert not wrong, f"{module} ({own}) imports {wrong}"


def test_every_module_has_a_layer() -> None:
    assert {layer_of(m) for m, _ in modules()} <= set(MAY_IMPORT)
