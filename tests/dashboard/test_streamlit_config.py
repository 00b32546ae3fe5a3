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


def test_a_served_page_run_pays_for_no_file_watcher_and_no_forced_collection() -> None:
    from streamlit.web import cli as streamlit_cli

    config = tomllib.loads((ROOT / "dashboard" / ".streamlit" / "config.toml").read_text())
    assert config["server"]["fileWatcherType"] == "none"
    assert config["runner"]["postScriptGC"] is False
    # kasko serve passes the same, and Streamlit's command line takes them
    cli = (ROOT / "pipelines" / "cli.py").read_text()
    assert '"--server.fileWatcherType",\n        "none",' in cli
    assert '"--runner.postScriptGC",\n        "false",' in cli
    flags = {option for command in streamlit_cli.main.commands.values()
             for parameter in command.params for option in parameter.opts}
    assert {"--server.fileWatcherType", "--runner.postScriptGC"} <= flags
