"""Streamlit's own chrome: no English viewer menu."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_streamlit_shows_no_viewer_menu_of_its_own() -> None:
    config = ROOT / "dashboard" / ".streamlit" / "config.toml"
    # "minimal": no English Print / Record screen menu; kasko serve passes the same
    assert tomllib.loads(config.read_text())["client"]["toolbarMode"] == "minimal"
    cli = (ROOT / "pipelines" / "cli.py").read_text()
    assert '"--client.toolbarMode",\n        "minimal",' in cli
