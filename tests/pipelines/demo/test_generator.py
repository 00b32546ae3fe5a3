"""Tests of the export generator: determinism, formats, contract, dirt, demo accounts, SLA."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter, defaultdict
from datetime import date, datetime
from pathlib import Path
from typing import Any

import holidays
import numpy as np
import openpyxl
import pytest
from pydantic import ValidationError

from pipelines.contract import (
    KIND_BY_NAME,
    KINDS,
    kind_for_file,
    luhn_check_digit,
    normalise_imei,
    normalise_nmu,
    parse_datetime,
    partita_iva_check_digit,
    partita_iva_valid,
    record_from_row,
)
from pipelines.demo import DEMO_ACCOUNTS, generate, generator, identifiers

TODAY = date(2026, 3, 16)
SMALL = {"customers": 60, "devices": 3000, "claims": 2000, "today": TODAY}
OPEN_STATES = {"Aperta", "In attesa documentazione", "In lavorazione", "In consegna"}
EXCLUDED_STATES = {"Non accolta", "KO tecnico", "Annullata"}


# ---------------------------------------------------------------- reading the files back


def _read(path: Path) -> list[dict[str, Any]]:
    """Rows of one export file, keyed by its headers as written (any case, any spaces)."""
    if path.suffix == ".xlsx":
        sheet = openpyxl.load_workbook(path, read_only=True).worksheets[0]
        rows = list(sheet.iter_rows(values_only=True))
        return [dict(zip(rows[0], (_cell(v) for v in row), strict=True)) for row in rows[1:]]
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252")
    header = text.split("\n", 1)[0]
    delimiter = ";" if header.count(";") > header.count(",") else ","
    return list(csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter))


def _cell(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a numeric identifier cell, as a loader reads it
    if isinstance(value, int):
        return str(value)
    return value


def _field(row: dict[str, Any], header: str) -> Any:
    wanted = header.casefold()
    for key, value in row.items():
        if " ".join(str(key).replace("\ufeff", "").split()).casefold() == wanted:
            return value
    raise KeyError(header)


def _text(row: dict[str, Any], header: str) -> str:
    value = _field(row, header)
    return "" if value is None else str(value).strip()


def _moment(row: dict[str, Any], header: str) -> datetime | None:
    try:
        return parse_datetime(_field(row, header))
    except ValueError:
        return None


@pytest.fixture(scope="module")
def exports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("exports")
    messages: list[str] = []
    written = generate(out, seed=7, progress=messages.append, **SMALL)
    assert sorted(written) == sorted(out.iterdir())
    assert len(messages) >= len(written)
    # the announced counts are entities; the files hold the planted repeated rows too
    assert "a file holds a few more rows than these counts" in messages[0]
    return out


@pytest.fixture(scope="module")
def rows_by_kind(exports: Path) -> dict[str, list[tuple[str, dict[str, Any]]]]:
    result: dict[str, list[tuple[str, dict[str, Any]]]] = defaultdict(list)
    for path in sorted(exports.iterdir()):
        kind = kind_for_file(path.name)
        assert kind is not None, path.name
        result[kind.name] += [(path.name, row) for row in _read(path)]
    return result


@pytest.fixture(scope="module")
def current_claims(rows_by_kind: dict) -> dict[str, dict[str, Any]]:
    """The latest readable version of each claim."""
    latest: dict[str, tuple[datetime, dict[str, Any]]] = {}
    for _, row in rows_by_kind["claims"]:
        number, updated = _text(row, "Numero richiesta"), _moment(row, "Data ultimo aggiornamento")
        if number and updated and (number not in latest or updated >= latest[number][0]):
            latest[number] = (updated, row)
    return {number: row for number, (_, row) in latest.items()}


@pytest.fixture(scope="module")
def calendar() -> np.ndarray:
    return np.array(sorted(holidays.Italy(years=range(2020, 2029))), dtype="datetime64[D]")


# ---------------------------------------------------------------- determinism


TINY = {"customers": 12, "devices": 400, "claims": 300, "today": TODAY}


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("tiny")
    generate(out, seed=3, **TINY)
    return out


def _same_files(first: Path, second: Path) -> None:
    names = sorted(p.name for p in first.iterdir())
    assert names == sorted(p.name for p in second.iterdir())
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_same_arguments_give_identical_bytes(exports: Path, tmp_path: Path) -> None:
    generate(tmp_path, seed=7, **SMALL)
    _same_files(exports, tmp_path)


def test_another_seed_gives_other_data(tiny: Path, tmp_path: Path) -> None:
    generate(tmp_path, seed=4, **TINY)
    names = sorted(p.name for p in tiny.iterdir())
    assert names == sorted(p.name for p in tmp_path.iterdir())
    same = [n for n in names if (tiny / n).read_bytes() == (tmp_path / n).read_bytes()]
    # only days without any claim change are alike: a header and nothing else
    assert all(len((tiny / n).read_bytes().splitlines()) == 1 for n in same), same
    assert len(same) <= 10


def test_python_and_duckdb_writers_give_the_same_bytes(
    tiny: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # small claims files are written by Python's csv module, big ones by DuckDB's COPY: here
    # the monthly files (about 50 rows) take the other way than in `tiny`
    monkeypatch.setattr(generator, "PYTHON_CSV_MAX_ROWS", 30)
    generate(tmp_path, seed=3, **TINY)
    _same_files(tiny, tmp_path)


# ---------------------------------------------------------------- files and formats


def test_file_names_cover_all_kinds_and_periods(exports: Path) -> None:
    names = sorted(p.name for p in exports.iterdir())
    assert {kind_for_file(name).name for name in names} == {kind.name for kind in KINDS}
    daily = [n for n in names if re.fullmatch(r"segnalazioni_\d{4}-\d{2}-\d{2}\.(csv|xlsx)", n)]
    monthly = [n for n in names if re.fullmatch(r"segnalazioni_\d{4}-\d{2}\.(csv|xlsx)", n)]
    assert len(daily) == 30
    assert daily[0].startswith("segnalazioni_2026-02-14") and daily[-1].startswith(
        "segnalazioni_2026-03-15"
    )
    assert len(monthly) == 24  # March 2024 (from the 16th) to February 2026 (to the 13th)
    assert monthly[0] == "segnalazioni_2024-03.xlsx"
    assert "dispositivi_2026-02-28.csv" in names and "dispositivi_2026-03-15.csv" in names
    assert "punti_assistenza_2026-03-15.xlsx" in names
    assert "sedi_2026-03-15.csv" in names
    assert len(names) == 61


def test_encodings_and_delimiters_vary(exports: Path) -> None:
    cp1252, bom, plain = [], [], []
    delimiters = Counter()
    for path in exports.glob("*.csv"):
        raw = path.read_bytes()
        if raw.startswith(b"\xef\xbb\xbf"):
            bom.append(path.name)
        else:
            try:
                raw.decode("utf-8")
                plain.append(path.name)
            except UnicodeDecodeError:
                cp1252.append(path.name)
        header = raw.split(b"\n", 1)[0]
        delimiters[";" if header.count(b";") > header.count(b",") else ","] += 1
    # Windows-1252: "Sì" is one byte, 0xEC, which is not UTF-8
    assert "abilitazioni_2026-03-15.csv" in cp1252
    assert ";Sì;" in (exports / "abilitazioni_2026-03-15.csv").read_bytes().decode("cp1252")
    (exports / "clienti_2026-03-15.csv").read_bytes().decode("cp1252")
    claims_cp1252 = [n for n in cp1252 if n.startswith("segnalazioni")]
    assert len(claims_cp1252) >= 10
    header = (exports / claims_cp1252[0]).read_bytes().split(b"\n", 1)[0].decode("cp1252")
    assert "Modalità consegna" in header and "Documento identità" in header
    assert "dispositivi_2026-02-28.csv" in bom and "utenti_2026-03-15.csv" in bom
    assert plain
    assert delimiters[";"] > delimiters[","] > 0


def test_odd_headers_still_name_every_column(exports: Path) -> None:
    raw = (exports / "utenti_2026-03-15.csv").read_bytes().decode("utf-8-sig")
    headers = raw.split("\n", 1)[0].split(",")
    assert [" ".join(h.split()).casefold() for h in headers] == [
        "utente",
        "nome",
        "profilo",
        "codice cliente",
        "nmu",
    ]
    assert headers != ["Utente", "Nome", "Profilo", "Codice cliente", "NMU"]


def test_xlsx_claims_have_numeric_imei_and_date_cells(exports: Path) -> None:
    sheet = openpyxl.load_workbook(exports / "segnalazioni_2024-03.xlsx").worksheets[0]
    headers = [cell.value for cell in sheet[1]]
    imei_column = headers.index("IMEI") + 1
    opened_column = headers.index("Data apertura") + 1
    customer_column = headers.index("Codice cliente") + 1
    imeis = [sheet.cell(r, imei_column) for r in range(2, sheet.max_row + 1)]
    numeric = [c for c in imeis if c.data_type == "n" and c.value is not None]
    assert len(numeric) >= 0.9 * len(imeis) > 0
    valid = [c for c in numeric if normalise_imei(str(int(c.value)))]
    assert len(valid) >= 0.95 * len(numeric)  # the rest: a planted wrong check digit
    opened = [sheet.cell(r, opened_column) for r in range(2, sheet.max_row + 1)]
    assert sum(c.is_date for c in opened) >= 0.95 * len(opened)
    assert all(datetime(2024, 3, 16) <= c.value < datetime(2024, 4, 1) for c in opened if c.is_date)
    codes = [sheet.cell(r, customer_column).value for r in range(2, sheet.max_row + 1)]
    assert all(
        isinstance(code, str) and len(code) == 10 for code in codes if code
    )  # leading zeros kept
    points = openpyxl.load_workbook(exports / "punti_assistenza_2026-03-15.xlsx").worksheets[0]
    assert [c.value for c in points[1]] == [
        "Codice punto",
        "Denominazione",
        "Indirizzo",
        "Comune",
        "Provincia",
        "Regione",
    ]
    assert points.max_row == 601


# ---------------------------------------------------------------- the contract


# Columns where dirt is planted; any other invalid value is a generator bug.
PLANTED = {
    "customers": {"vat_number", "company_name", "segment"},
    "devices": {"imei", "customer_code", "device_type", "protection_state", "protection_start"},
    "claims": {
        "imei",
        "request_number",
        "customer_code",
        "status",
        "opened_at",
        "request_type",
        "channel",
        "delivery_mode",
        "opening_profile",
        "updated_at",
    },
    "enablements": {"nmu", "enabled", "changed_at"},
    "assistance_points": set(),
    "users": {"profile", "login"},
    "delivery_addresses": {"postcode", "address", "municipality", "province"},
}


def test_rows_validate_except_planted_dirt(rows_by_kind: dict) -> None:
    for name, rows in rows_by_kind.items():
        kind = KIND_BY_NAME[name]
        if name == "claims":
            rows = rows[::3]  # a sample keeps the test quick: validation is per row
        failures: Counter = Counter()
        for _, row in rows:
            try:
                record_from_row(kind, row)
            except ValidationError as error:
                failures.update(e["loc"][0] for e in error.errors())
        assert set(failures) <= PLANTED[name], (name, failures)
        # at least one row of each planted kind, else a few percent of the rows
        assert sum(failures.values()) <= max(0.06 * len(rows), 8), (name, len(rows), failures)


def test_sampled_clean_rows_validate_into_real_values(rows_by_kind: dict) -> None:
    devices = [
        row
        for _, row in rows_by_kind["devices"]
        if normalise_imei(_text(row, "IMEI")) == _text(row, "IMEI") and _text(row, "Codice cliente")
    ]
    device = record_from_row(KIND_BY_NAME["devices"], devices[0])
    assert device.device_type in ("Smartphone", "Tablet")
    assert len(device.customer_code) == 10 and device.customer_code.startswith("00")
    if device.protection_start and device.protection_end:
        assert (device.protection_end - device.protection_start).days >= 730
    for _, row in rows_by_kind["customers"][:50]:
        if (
            _text(row, "Ragione sociale")
            and _text(row, "Segmento") in ("Professionisti", "Aziende")
            and partita_iva_valid(_text(row, "Partita IVA"))
        ):
            customer = record_from_row(KIND_BY_NAME["customers"], row)
            assert customer.segment in ("Professionisti", "Aziende")
    claim = record_from_row(KIND_BY_NAME["claims"], rows_by_kind["claims"][100][1])
    assert re.fullmatch(r"KA-20\d\d-\d{7}", claim.request_number)
    assert claim.updated_at >= claim.opened_at
    assert claim.nmu is None or claim.nmu.startswith("3")


def test_identifiers_are_valid_and_vectorised_check_digits_match_the_reference() -> None:
    rng = np.random.default_rng(1)
    bodies = rng.integers(10**13, 10**14, 500)
    vectorised = identifiers.imei_check_digits(bodies)
    assert [luhn_check_digit(str(b)) for b in bodies] == vectorised.tolist()
    vat_bodies = rng.integers(10**9, 10**10, 500)
    assert [partita_iva_check_digit(str(b)) for b in vat_bodies] == (
        identifiers.partita_iva_check_digits(vat_bodies).tolist()
    )


def test_points_cover_real_provinces_by_population(rows_by_kind: dict) -> None:
    points = [row for _, row in rows_by_kind["assistance_points"]]
    by_province = Counter(_text(row, "Provincia") for row in points)
    assert len(points) == 600 and len(by_province) == 107
    assert by_province["RM"] > by_province["MI"] > by_province["IS"] >= 1
    rome = next(row for row in points if _text(row, "Codice punto") == "RM0001")
    assert (_text(rome, "Comune"), _text(rome, "Regione")) == ("Roma", "Lazio")


# ---------------------------------------------------------------- planted dirt


def test_planted_dirt_exists(rows_by_kind: dict, current_claims: dict) -> None:
    claim_imeis = [_text(row, "IMEI") for _, row in rows_by_kind["claims"]]
    device_imeis = [_text(row, "IMEI") for _, row in rows_by_kind["devices"]]
    for imeis in (claim_imeis, device_imeis):
        assert any(i and normalise_imei(i) is None and re.fullmatch(r"\d{15}", i) for i in imeis)
        assert any(re.fullmatch(r"\d[,.]\d+E\+14", i) for i in imeis)  # Excel's scientific notation
        assert any(re.search(r"[ -]", i) and normalise_imei(i) for i in imeis)
        assert any(re.fullmatch(r"\d{16}", i) and normalise_imei(i) for i in imeis)  # IMEISV
        assert any(i == "" for i in imeis)
    nmus = [_text(row, "NMU") for _, row in rows_by_kind["claims"]]
    assert any(n.startswith("+39 ") and normalise_nmu(n) for n in nmus)

    for name in ("claims", "devices", "customers", "enablements"):
        counts = Counter((file, tuple(row.values())) for file, row in rows_by_kind[name])
        assert max(counts.values()) == 2, name  # exact duplicate rows

    statuses = {_text(row, "Stato") for _, row in rows_by_kind["claims"]}
    assert statuses - {
        "",
        *OPEN_STATES,
        *EXCLUDED_STATES,
        "Disponibile al ritiro",
        "Consegnata",
        "Chiusa",
    }
    opened = [_text(row, "Data apertura") for _, row in rows_by_kind["claims"]]
    assert any(text and _moment({"x": text}, "x") is None for text in opened)
    assert any(
        re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", _text(row, "Data ultimo aggiornamento"))
        for _, row in rows_by_kind["claims"]
    )
    assert any(
        (available := _moment(row, "Data disponibilità sostitutivo"))
        and (start := _moment(row, "Data apertura"))
        and available < start
        for _, row in rows_by_kind["claims"]
    )


def test_planted_inconsistencies_exist(rows_by_kind: dict, current_claims: dict) -> None:
    inventory: dict[str, dict[str, Any]] = {}
    for _, row in rows_by_kind["devices"]:
        imei = normalise_imei(_text(row, "IMEI"))
        if imei:
            inventory[imei] = row
    claims = [(normalise_imei(_text(row, "IMEI")), row) for row in current_claims.values()]
    assert (
        sum(imei not in inventory for imei, _ in claims if imei) >= 2
    )  # IMEI missing from inventory
    inactive = [
        row
        for imei, row in claims
        if imei in inventory
        and _text(inventory[imei], "Stato protezione") in ("Cessata", "Non attiva")
    ]
    assert inactive and any(
        _text(row, "Motivo esito negativo") == "Protezione non attiva" for row in inactive
    )
    open_per_imei = Counter(
        imei for imei, row in claims if imei and _text(row, "Stato") in OPEN_STATES
    )
    assert max(open_per_imei.values()) >= 2  # two open claims for one IMEI
    device_lines = {normalise_nmu(_text(row, "NMU")) for _, row in rows_by_kind["devices"]}
    enabled_lines = {normalise_nmu(_text(row, "NMU")) for _, row in rows_by_kind["enablements"]}
    assert len(enabled_lines - device_lines - {None}) >= 2  # enablements for lines no device uses


# ---------------------------------------------------------------- claims


def test_claims_have_several_versions_across_files(
    rows_by_kind: dict, current_claims: dict
) -> None:
    files_per_claim: dict[str, set[str]] = defaultdict(set)
    versions: dict[str, list[tuple[datetime, str]]] = defaultdict(list)
    for file, row in rows_by_kind["claims"]:
        number, updated = _text(row, "Numero richiesta"), _moment(row, "Data ultimo aggiornamento")
        files_per_claim[number].add(file)
        if updated:
            versions[number].append((updated, _text(row, "Stato")))
    assert 1900 <= len(current_claims) <= 2000
    # a claim settles in about a week: those crossing a month end, and all recent ones, span files
    spanning = [files for files in files_per_claim.values() if len(files) >= 2]
    assert len(spanning) >= 0.2 * len(current_claims)
    assert max(len(files) for files in spanning) >= 4
    assert np.mean([len(v) for v in versions.values()]) >= 3.5
    closed = [sorted(v) for v in versions.values() if sorted(v)[-1][1] == "Chiusa"]
    opened_first = [v[0][1] in ("Aperta", "In attesa documentazione") for v in closed]
    assert sum(opened_first) >= 0.97 * len(closed)  # the rest: a planted error in the first version
    theft = [
        row
        for row in current_claims.values()
        if _text(row, "Tipo richiesta") == "Furto/Smarrimento"
    ]
    assert 0.25 <= len(theft) / len(current_claims) <= 0.35
    assert all(_text(row, "Causali guasto") == "" for row in theft)
    states = Counter(_text(row, "Stato") for row in current_claims.values())
    assert states["Chiusa"] > 0.8 * len(current_claims)
    assert 0.02 <= states["Non accolta"] / len(current_claims) <= 0.07
    assert states["KO tecnico"] and states["Annullata"] and states["In attesa documentazione"]


def test_opening_moments_include_weekends_holidays_and_evenings(
    current_claims: dict, calendar: np.ndarray
) -> None:
    opened = [m for row in current_claims.values() if (m := _moment(row, "Data apertura"))]
    days = np.array([m.date() for m in opened], dtype="datetime64[D]")
    assert (~np.is_busday(days, holidays=calendar)).sum() >= 0.03 * len(days)
    assert sum(m.hour >= 18 for m in opened) >= 0.05 * len(opened)
    assert min(opened) >= datetime(2024, 3, 16) and max(opened) < datetime(2026, 3, 16)


def _sla_state(row: dict[str, Any], today: date, calendar: np.ndarray) -> str:
    """The SLA state of docs/sla.md, computed independently of the generator."""
    if _text(row, "Stato") in EXCLUDED_STATES:
        return "excluded"
    start, available = (
        _moment(row, "Data ricezione documentazione"),
        _moment(row, "Data disponibilità sostitutivo"),
    )
    if start is None:
        return "breached" if available else "pending_documentation"
    due = np.busday_offset(np.datetime64(start.date()), 5, roll="forward", holidays=calendar)
    if available:
        return "met" if np.datetime64(available.date()) <= due else "breached"
    as_of = np.datetime64(today)
    if as_of > due:
        return "breached"
    next_day = np.busday_offset(as_of, 1, roll="forward", holidays=calendar)
    return "at_risk" if due <= max(as_of, next_day) else "on_track"


def test_most_closed_claims_meet_the_five_business_days(
    current_claims: dict, calendar: np.ndarray
) -> None:
    closed = [row for row in current_claims.values() if _text(row, "Stato") == "Chiusa"]
    states = Counter(_sla_state(row, TODAY, calendar) for row in closed)
    assert states["met"] + states["breached"] == len(closed)
    assert states["met"] >= 0.85 * len(closed)
    assert states["breached"] > 0  # some breaches, clustered around holidays
    every = Counter(_sla_state(row, TODAY, calendar) for row in current_claims.values())
    for state in ("on_track", "at_risk", "breached", "pending_documentation", "excluded"):
        assert every[state] > 0, (state, every)


# ---------------------------------------------------------------- demo accounts


def test_demo_accounts_have_their_profiles_and_scope(
    rows_by_kind: dict, current_claims: dict
) -> None:
    users = {_text(row, "Utente"): row for _, row in rows_by_kind["users"]}
    for login, (profile, password) in DEMO_ACCOUNTS.items():
        assert _text(users[login], "Profilo") == profile
        assert password.startswith("Demo-")
        record_from_row(KIND_BY_NAME["users"], users[login])
    assert {profile for profile, _ in DEMO_ACCOUNTS.values()} == {
        "Management",
        "Account Manager",
        "Rappresentante Legale",
        "Amministratore",
        "Mandatario",
        "Master",
        "Dipendente",
    }

    customers = {_text(row, "Codice cliente"): row for _, row in rows_by_kind["customers"]}
    portfolio = [
        code
        for code, row in customers.items()
        if _text(row, "Account manager") == "account.manager@kasko.demo"
    ]
    assert len(portfolio) == 20  # min(20, customers // 3) at this size

    professional = _text(users["legale@kasko.demo"], "Codice cliente")
    assert _text(users["amministratore@kasko.demo"], "Codice cliente") == professional
    assert _text(customers[professional], "Segmento") == "Professionisti"
    company = _text(users["mandatario@kasko.demo"], "Codice cliente")
    assert _text(users["master@kasko.demo"], "Codice cliente") == company
    assert _text(customers[company], "Segmento") == "Aziende"
    assert {professional, company} <= set(portfolio)
    claims_per_customer = Counter(_text(row, "Codice cliente") for row in current_claims.values())
    assert claims_per_customer[professional] >= 3
    assert claims_per_customer[company] >= 100

    employee = users["dipendente@kasko.demo"]
    line = _text(employee, "NMU")
    assert _text(employee, "Codice cliente") == company
    devices = [row for _, row in rows_by_kind["devices"] if _text(row, "NMU") == line]
    assert len(devices) == 1 and _text(devices[0], "Codice cliente") == company
    assert _text(devices[0], "Email assegnatario") == "dipendente@kasko.demo"
    changes = sorted(
        (_moment(row, "Data modifica"), _text(row, "Abilitata"))
        for _, row in rows_by_kind["enablements"]
        if _text(row, "NMU") == line and _text(row, "Codice cliente") == company
    )
    assert changes and changes[-1][1] in ("S", "Sì", "si")
    imei = _text(devices[0], "IMEI")
    own_claims = [row for row in current_claims.values() if _text(row, "IMEI") == imei]
    assert len(own_claims) >= 2
    assert any(_text(row, "Aperta da") == "dipendente@kasko.demo" for row in own_claims)


# ---------------------------------------------------------------- arguments


def test_bad_arguments_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown scale"):
        generate(tmp_path, scale="huge", today=TODAY)
    with pytest.raises(ValueError, match="devices"):
        generate(tmp_path, customers=100, devices=50, claims=100, today=TODAY)
    assert not list(tmp_path.iterdir())
