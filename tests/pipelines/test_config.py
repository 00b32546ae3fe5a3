"""kasko.toml: the SLA settings, their defaults and clear errors for values that cannot be used."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines import config
from pipelines.cli import main
from pipelines.config import PROJECT_ROOT, ConfigError, Settings, load_settings


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "kasko.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_file_holds_the_defaults() -> None:
    sla = load_settings(PROJECT_ROOT / "kasko.toml").sla
    assert (sla.business_days, sla.compliance_target, sla.calendar_province, sla.timezone) == (
        5, 0.95, None, "Europe/Rome")


def test_a_missing_file_means_the_defaults(tmp_path) -> None:
    assert load_settings(tmp_path / "absent.toml") == Settings()


def test_valid_values(tmp_path) -> None:
    sla = load_settings(write(tmp_path, """
[sla]
business_days = 7
compliance_target = 0.9
calendar_province = "rm"
timezone = "Europe/Berlin"
""")).sla
    assert (sla.business_days, sla.compliance_target, sla.calendar_province, sla.timezone) == (
        7, 0.9, "RM", "Europe/Berlin")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[sla]\nbusiness_days = 0\n", "sla.business_days: Input should be greater than or equal"),
        ("[sla]\nbusiness_days = 61\n", "sla.business_days: Input should be less than or equal"),
        ('[sla]\nbusiness_days = "five"\n', "sla.business_days: Input should be a valid integer"),
        ("[sla]\nbusiness_days = 5.5\n", "sla.business_days"),
        ("[sla]\ncompliance_target = 1.5\n", "sla.compliance_target: Input should be less than"),
        ("[sla]\ncompliance_target = 0\n", "sla.compliance_target: Input should be greater than 0"),
        ('[sla]\ncalendar_province = "XX"\n', "province 'XX' is not one the holidays package"),
        ('[sla]\ntimezone = "Mars/Olympus"\n', "unknown time zone 'Mars/Olympus'"),
        ("[sla]\nbusines_days = 5\n", "sla.busines_days: Extra inputs are not permitted"),
        ("[reports]\nx = 1\n", "reports: Extra inputs are not permitted"),
        ("[sla\nbusiness_days = 5\n", "not valid TOML"),
    ],
)
def test_invalid_values_name_the_file_and_the_key(tmp_path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as raised:
        load_settings(path)
    assert str(raised.value).startswith(str(path))
    assert message in str(raised.value)


def test_the_command_line_reports_a_bad_configuration(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setenv(config.CONFIG_ENV, str(write(tmp_path, "[sla]\ncompliance_target = 2\n")))
    config.settings.cache_clear()
    try:
        code = main(["export", "tickets", "--out", str(tmp_path / "t.csv"),
                     "--db", str(tmp_path / "kasko.duckdb")])
    finally:
        config.settings.cache_clear()
    assert code == 2
    error = capsys.readouterr().err
    assert error.startswith("kasko: configuration error: ")
    assert "sla.compliance_target" in error
