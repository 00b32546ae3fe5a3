"""Settings: where the databases live and the SLA parameters (kasko.toml, environment)."""

from __future__ import annotations

import os
import tomllib
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = Path("data") / "kasko.duckdb"
CONFIG_ENV = "KASKO_CONFIG"
DB_ENV = "KASKO_DB"
APP_DB_ENV = "KASKO_APP_DB"


class ConfigError(Exception):
    """The configuration file cannot be used; the message says why and where."""


class SlaSettings(BaseModel):
    # strict: `business_days = true` would otherwise be a one-day SLA and "5" five days;
    # a wrong type is refused with the key's name instead
    model_config = ConfigDict(extra="forbid", strict=True)

    business_days: int = Field(5, ge=1, le=60, description="SLA length in business days")
    compliance_target: float = Field(0.95, gt=0, le=1, description="target share of met claims")
    calendar_province: str | None = Field(
        None, description="province code whose patron-saint day is a holiday (e.g. RM)"
    )
    timezone: str = Field("Europe/Rome", description="time zone of the exports' local times")

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown time zone {value!r}") from error
        return value

    @field_validator("calendar_province")
    @classmethod
    def _known_province(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        import holidays

        if value.upper() not in holidays.Italy.subdivisions:
            raise ValueError(f"province {value!r} is not one the holidays package knows for Italy")
        return value.upper()


class AppSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    database_url: str | None = Field(
        None,
        description="the dashboard's own database (SQLAlchemy URL); $KASKO_APP_DB overrides it",
    )


class WarehouseSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reuse_replaced_file: bool = Field(
        True,
        description=(
            "keep the file a load replaces and copy the next load into it once no reader"
            " on this host holds it; false when other hosts read the warehouse's folder"
            " through a mount of their own (never done on a network file system)"
        ),
    )


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    sla: SlaSettings = SlaSettings()
    app: AppSettings = AppSettings()
    warehouse: WarehouseSettings = WarehouseSettings()


def config_path() -> Path:
    return Path(os.environ.get(CONFIG_ENV, "kasko.toml"))


def load_settings(path: Path | None = None) -> Settings:
    """Read the TOML settings; a missing file means the defaults."""
    path = path or config_path()
    if not path.exists():
        return Settings()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from error
    try:
        return Settings.model_validate(raw)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors()
        )
        raise ConfigError(f"{path}: {problems}") from error


@cache
def settings() -> Settings:
    return load_settings()


def database_path(cli_value: str | os.PathLike[str] | None = None) -> Path:
    """The warehouse file: --db, else $KASKO_DB, else data/kasko.duckdb."""
    if cli_value:
        return Path(cli_value)
    if os.environ.get(DB_ENV):
        return Path(os.environ[DB_ENV])
    return DEFAULT_DB


def default_sqlite_path(warehouse: Path) -> Path:
    """The embedded app store lives beside the warehouse; loads replace the warehouse, never it."""
    return warehouse.with_name(warehouse.stem + ".app.sqlite")


def configured_app_database() -> tuple[str | None, bool]:
    """The app store's database URL as configured, $KASKO_APP_DB before `[app] database_url`
    (None: the embedded SQLite store beside the warehouse), and whether it came from the
    environment."""
    from_environment = os.environ.get(APP_DB_ENV)
    return from_environment or settings().app.database_url, bool(from_environment)


def app_store_exists(warehouse: Path) -> bool:
    """Whether the warehouse has an app store: one configured, or the embedded one's file
    beside it. Told without the store's own libraries: a load into a warehouse without one
    does not import them."""
    configured, _ = configured_app_database()
    return bool(configured) or default_sqlite_path(warehouse).exists()


def app_database_path(warehouse: Path) -> Path:
    """Where earlier releases kept the dashboard's own state, in DuckDB beside the warehouse.

    `pipelines.appstate` imports it once into the store that holds that state now.
    """
    return warehouse.with_name(warehouse.stem + ".app.duckdb")
