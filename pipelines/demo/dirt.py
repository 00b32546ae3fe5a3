"""The usual dirt of real exports, planted in the demo rows."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from pipelines.demo.accounts import DEMO_ACCOUNTS
from pipelines.demo.claims import Claims
from pipelines.demo.days import at_hours, timestamps
from pipelines.demo.identifiers import mobile_lines
from pipelines.demo.plan import Plan
from pipelines.demo.reference import (
    BAD_DATES,
    NEVER,
    RATE_AVAILABLE_BEFORE_OPENING,
    RATE_BAD_DATE,
    RATE_BAD_VAT,
    RATE_BOOLEAN_VARIANT,
    RATE_DUPLICATE,
    RATE_EMPTY_REQUIRED,
    RATE_IMEI_CHECK,
    RATE_IMEI_SCIENTIFIC,
    RATE_IMEI_SEPARATORS,
    RATE_IMEISV,
    RATE_ISO_DATES,
    RATE_NMU_FORMATTED,
    RATE_ORPHAN_ENABLEMENT,
    RATE_UNKNOWN_ENUM,
    SECONDS_PER_DAY,
)
from pipelines.demo.world import Customers, Devices, Enablements


class Dirt:
    """The errors planted in one table: replacement texts per row and column, rows written twice.

    Each row gets at most one kind of dirt, so every planted error is exactly the one
    its row shows, and the demo accounts' rows are never picked.
    """

    def __init__(self, rng: np.random.Generator, rows: int, protected: np.ndarray | None = None):
        self.rng = rng
        self.rows = rows
        self._order = rng.permutation(rows)
        self._used = np.zeros(rows, dtype=bool)
        if protected is not None:
            self._used[protected] = True
        self.row_ids: list[np.ndarray] = []
        self.column_names: list[str] = []
        self.values: list[list[str | None]] = []
        self.duplicates = np.empty(0, dtype=np.int64)

    def take(self, rate: float, where: np.ndarray | None = None, minimum: int = 2) -> np.ndarray:
        """Rows, not yet dirty, for one kind of dirt: `rate` of the table, at least `minimum`."""
        order = self._order[~self._used[self._order]]
        if where is not None:
            order = order[where[order]]
        wanted = max(minimum, round(rate * self.rows))
        chosen = np.sort(order[:wanted])
        self._used[chosen] = True
        return chosen

    def replace(self, column: str, rows: np.ndarray, values: Iterable[str | None]) -> None:
        self.row_ids.append(rows)
        self.column_names.append(column)
        self.values.append(list(values))

    def overrides(self) -> pd.DataFrame:
        """One row per dirty row, one text column per column that has replacements."""
        if not self.row_ids:
            return pd.DataFrame({"row_id": pd.Series(dtype=np.int64)})
        long = pd.DataFrame(
            {
                "row_id": np.concatenate(self.row_ids),
                "column": np.repeat(self.column_names, [len(r) for r in self.row_ids]),
                "value": pd.Series([v for values in self.values for v in values], dtype="str"),
            }
        )
        if long.empty:
            return pd.DataFrame({"row_id": pd.Series(dtype=np.int64)})
        wide = long.pivot(index="row_id", columns="column", values="value").reset_index()
        wide.columns.name = None
        return wide.astype({c: "str" for c in wide.columns if c != "row_id"})


def _wrong_check(imei: np.ndarray, rng: np.random.Generator) -> list[str]:
    wrong = imei // 10 * 10 + (imei % 10 + rng.integers(1, 10, len(imei))) % 10
    return [str(value) for value in wrong]


def _scientific(imei: np.ndarray, rng: np.random.Generator) -> list[str]:
    """What Excel shows for a 15-digit number in a General cell: six digits and an exponent."""
    texts = []
    for value, comma in zip(imei, rng.random(len(imei)) < 0.8, strict=True):
        mantissa, exponent = f"{value:.5E}".split("E")
        mantissa = mantissa.rstrip("0").rstrip(".")
        if comma:  # the Italian decimal separator
            mantissa = mantissa.replace(".", ",")
        texts.append(f"{mantissa}E+{int(exponent)}")
    return texts


def _separated(imei: np.ndarray, rng: np.random.Generator) -> list[str]:
    texts = []
    for value, style in zip(imei, rng.integers(0, 3, len(imei)), strict=True):
        digits = str(value)
        if style == 0:
            texts.append(f"{digits[:2]}-{digits[2:8]}-{digits[8:14]}-{digits[14]}")
        elif style == 1:
            texts.append(f"{digits[:2]} {digits[2:8]} {digits[8:14]} {digits[14]}")
        else:
            texts.append(f"{digits[:8]} {digits[8:]}")
    return texts


def _imeisv(imei: np.ndarray, rng: np.random.Generator) -> list[str]:
    return [
        f"{value // 10}{version:02d}"
        for value, version in zip(imei, rng.integers(1, 60, len(imei)), strict=True)
    ]


def _formatted_lines(nmu: Iterable[str], rng: np.random.Generator) -> list[str]:
    texts = []
    for value, style in zip(nmu, rng.integers(0, 4, len(list(nmu))), strict=True):
        if style == 0:
            texts.append(f"+39 {value[:3]} {value[3:6]} {value[6:]}")
        elif style == 1:
            texts.append(f"0039{value}")
        elif style == 2:
            texts.append(f"{value[:3]} {value[3:]}")
        else:
            texts.append(f"{value[:3]}.{value[3:6]}.{value[6:]}")
    return texts


def _bad_dates(count: int, rng: np.random.Generator) -> list[str]:
    texts = []
    for template, year, month, day in zip(
        rng.integers(0, len(BAD_DATES), count),
        rng.integers(2023, 2027, count),
        rng.integers(1, 13, count),
        rng.integers(1, 29, count),
        strict=True,
    ):
        texts.append(BAD_DATES[template].format(year=year, month=f"{month:02d}", day=f"{day:02d}"))
    return texts


def _plant_imei_dirt(
    dirt: Dirt, imei_column: str, imei: np.ndarray, scientific_rows: np.ndarray | None
) -> None:
    """The ways an IMEI goes wrong on its way through spreadsheets and people."""
    rng = dirt.rng
    rows = dirt.take(RATE_IMEI_CHECK)
    dirt.replace(imei_column, rows, _wrong_check(imei[rows], rng))
    rows = dirt.take(RATE_IMEI_SCIENTIFIC, scientific_rows)
    dirt.replace(imei_column, rows, _scientific(imei[rows], rng))
    rows = dirt.take(RATE_IMEI_SEPARATORS)
    dirt.replace(imei_column, rows, _separated(imei[rows], rng))
    rows = dirt.take(RATE_IMEISV)
    dirt.replace(imei_column, rows, _imeisv(imei[rows], rng))


def _plant_styles(dirt: Dirt, frame: pd.DataFrame, dates: bool, booleans: bool) -> None:
    """Rows typed by hand: ISO dates, booleans spelled si/SI/no."""
    if dates:
        frame.loc[dirt.take(RATE_ISO_DATES), "iso"] = True
    if booleans:
        frame.loc[dirt.take(RATE_BOOLEAN_VARIANT), "bool_variant"] = True


def dirty_customers(rng: np.random.Generator, customers: Customers) -> Dirt:
    frame = customers.frame
    # the demo Account Manager's portfolio stays whole: exactly its planned size loads
    dirt = Dirt(rng, len(frame), np.flatnonzero(customers.manager == 0))
    rows = dirt.take(RATE_BAD_VAT)
    vat = frame["vat_number"].to_numpy()[rows]
    dirt.replace("vat_number", rows, [v[:10] + str((int(v[10]) + 3) % 10) for v in vat])
    rows = dirt.take(RATE_EMPTY_REQUIRED)
    dirt.replace("company_name", rows, [""] * len(rows))
    rows = dirt.take(RATE_UNKNOWN_ENUM)
    dirt.replace("segment", rows, rng.choice(["PMI", "Enterprise", "Consumer"], len(rows)))
    dirt.duplicates = dirt.take(RATE_DUPLICATE / 2)
    return dirt


def dirty_devices(
    rng: np.random.Generator, devices: Devices, customers: Customers, frame: pd.DataFrame
) -> Dirt:
    demo = (devices.customer == customers.demo_company) | (
        devices.customer == customers.demo_professional
    )
    outside_snapshot = ~devices.snapshot
    dirt = Dirt(rng, len(devices.customer), np.flatnonzero(demo | outside_snapshot))
    _plant_imei_dirt(dirt, "imei", devices.imei, None)
    rows = dirt.take(RATE_NMU_FORMATTED)
    dirt.replace("nmu", rows, _formatted_lines([str(v) for v in devices.nmu[rows]], rng))
    rows = dirt.take(RATE_EMPTY_REQUIRED)
    dirt.replace("customer_code", rows[::2], [""] * len(rows[::2]))
    dirt.replace("imei", rows[1::2], [""] * len(rows[1::2]))
    rows = dirt.take(RATE_UNKNOWN_ENUM)
    dirt.replace("device_type", rows[::2], ["Smartwatch"] * len(rows[::2]))
    dirt.replace("protection_state", rows[1::2], ["Sospesa"] * len(rows[1::2]))
    rows = dirt.take(RATE_BAD_DATE, devices.start < NEVER)
    dirt.replace("protection_start", rows, [t.split(" ")[0] for t in _bad_dates(len(rows), rng)])
    _plant_styles(dirt, frame, dates=True, booleans=False)
    dirt.duplicates = dirt.take(RATE_DUPLICATE)
    return dirt


def dirty_enablements(
    rng: np.random.Generator, enablements: Enablements, devices: Devices
) -> Dirt:
    frame = enablements.frame
    protected = np.flatnonzero(frame["device"].to_numpy() == devices.demo_employee)
    dirt = Dirt(rng, len(frame), protected)
    rows = dirt.take(RATE_NMU_FORMATTED)
    dirt.replace("nmu", rows, _formatted_lines(frame["nmu"].to_numpy()[rows], rng))
    rows = dirt.take(RATE_EMPTY_REQUIRED)
    dirt.replace("nmu", rows, [""] * len(rows))
    rows = dirt.take(RATE_UNKNOWN_ENUM)
    dirt.replace("enabled", rows, rng.choice(["Forse", "X", "Abilitato"], len(rows)))
    rows = dirt.take(RATE_BAD_DATE)
    dirt.replace("changed_at", rows, _bad_dates(len(rows), rng))
    _plant_styles(dirt, frame, dates=True, booleans=True)
    dirt.duplicates = dirt.take(RATE_DUPLICATE)
    return dirt


def orphan_enablements(
    rng: np.random.Generator, plan: Plan, enablements: Enablements, devices: Devices
) -> None:
    """Enablements for lines no device uses: the customer typed a number that is not theirs."""
    frame = enablements.frame
    count = max(2, round(len(frame) * RATE_ORPHAN_ENABLEMENT))
    source = rng.choice(len(frame), count, replace=False)
    lines = mobile_lines(rng, count, devices.nmu)
    days = plan.cutoff - rng.integers(1, 400, count)
    orphans = frame.iloc[source].copy()
    orphans["device"] = -1
    orphans["nmu"] = pd.Series(lines, dtype="str").to_numpy()
    orphans["enabled"] = pd.array(rng.random(count) < 0.7, dtype="boolean")
    orphans["changed_at"] = timestamps(at_hours(rng, days, 8.5, 19.0))
    merged = pd.concat([frame, orphans], ignore_index=True)
    merged = merged.sort_values(["customer_code", "changed_at"], kind="stable", ignore_index=True)
    merged["row_id"] = np.arange(len(merged), dtype=np.int64)
    enablements.frame = merged


def dirty_users(rng: np.random.Generator, users: pd.DataFrame) -> Dirt:
    protected = np.flatnonzero(users["login"].isin(list(DEMO_ACCOUNTS)).to_numpy())
    dirt = Dirt(rng, len(users), protected)
    employees = (users["profile"] == "Dipendente").to_numpy()
    rows = dirt.take(0.05 * employees.mean(), employees)
    dirt.replace("nmu", rows, _formatted_lines(users["nmu"].to_numpy()[rows], rng))
    rows = dirt.take(RATE_UNKNOWN_ENUM)
    dirt.replace("profile", rows, rng.choice(["Operatore", "Supervisore", "Admin"], len(rows)))
    rows = dirt.take(RATE_EMPTY_REQUIRED / 2)
    dirt.replace("login", rows, [""] * len(rows))
    dirt.duplicates = dirt.take(RATE_DUPLICATE / 2)
    return dirt


def dirty_claims(rng: np.random.Generator, claims: Claims, scientific_periods: np.ndarray) -> Dirt:
    versions = claims.versions
    claim = versions["claim"].to_numpy()
    protected = np.flatnonzero(claims.reserved[claim])
    dirt = Dirt(rng, len(versions), protected)
    imei = claims.imei[claim]
    _plant_imei_dirt(dirt, "imei", imei, scientific_periods[versions["period"].to_numpy()])
    rows = dirt.take(RATE_NMU_FORMATTED)
    dirt.replace("nmu", rows, _formatted_lines([str(v) for v in claims.nmu[claim[rows]]], rng))

    # each column in turn, so that every kind of error shows up even in a small export
    required = ("request_number", "customer_code", "imei", "status", "opened_at", "request_type")
    rows = dirt.take(RATE_EMPTY_REQUIRED, minimum=len(required))
    for index, column in enumerate(required):
        chosen = rows[index :: len(required)]
        dirt.replace(column, chosen, [""] * len(chosen))
    unknown = (
        ("request_type", ("Furto", "Guasto", "Smarrimento")),
        ("status", ("Sospesa", "In verifica")),
        ("channel", ("WhatsApp", "Negozio")),
        ("delivery_mode", ("Corriere",)),
        ("opening_profile", ("Operatore",)),
    )
    rows = dirt.take(RATE_UNKNOWN_ENUM, minimum=len(unknown))
    for index, (column, values) in enumerate(unknown):
        chosen = rows[index :: len(unknown)]
        dirt.replace(column, chosen, rng.choice(np.array(values, dtype=object), len(chosen)))
    rows = dirt.take(RATE_BAD_DATE)
    dirt.replace("opened_at", rows[0::2], _bad_dates(len(rows[0::2]), rng))
    dirt.replace("updated_at", rows[1::2], _bad_dates(len(rows[1::2]), rng))

    available_at = claims.frame["available_at"].to_numpy()[claim]
    shows_available = available_at <= versions["updated_at"].to_numpy()
    rows = dirt.take(RATE_AVAILABLE_BEFORE_OPENING * shows_available.mean(), shows_available)
    opened = claims.opened[claim[rows]] - rng.integers(1, 4, len(rows)) * SECONDS_PER_DAY
    dirt.replace(
        "replacement_available_at",
        rows,
        [pd.Timestamp(int(s), unit="s").strftime("%d/%m/%Y %H:%M") for s in opened],
    )
    _plant_styles(dirt, versions, dates=True, booleans=True)
    dirt.duplicates = dirt.take(RATE_DUPLICATE)
    return dirt
