"""The data contract: its columns are the spec's, records validate, SQL and Python rules agree."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import duckdb
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from pipelines.contract import (
    KIND_BY_NAME,
    KINDS,
    Claim,
    ColumnKind,
    columns,
    kind_for_file,
    luhn_check_digit,
    normalise_header,
    normalise_imei,
    normalise_nmu,
    partita_iva_check_digit,
    partita_iva_valid,
    record_from_row,
)
from pipelines.sqlfiles import SQL_DIR

if TYPE_CHECKING:
    from tests.pipelines.exports import RowBuilders

# ------------------------------------------------------------------ independent references


def luhn_valid(number: str) -> bool:
    """Luhn written the textbook way: from the right, every second digit doubled, digit-summed."""
    total = 0
    for position, char in enumerate(reversed(number)):
        product = int(char) * (2 if position % 2 == 1 else 1)
        total += sum(divmod(product, 10))
    return total % 10 == 0


def imei_with_check_digit(body: str) -> str:
    """The 15-digit IMEI for a 14-digit body: the one final digit that passes Luhn."""
    return next(body + digit for digit in "0123456789" if luhn_valid(body + digit))


def reference_imei(text: str) -> str | None:
    digits = "".join(char for char in text if char not in " \t\n\r\f\v.-")
    if not all(char in "0123456789" for char in digits) or len(digits) not in (15, 16):
        return None
    if len(digits) == 16:
        return imei_with_check_digit(digits[:14])
    return digits if luhn_valid(digits) else None


def reference_nmu(text: str) -> str | None:
    digits = "".join(char for char in text if char not in " \t\n\r\f\v.-")
    for prefix in ("+39", "0039"):
        if digits.startswith(prefix):
            digits = digits[len(prefix):]
            break
    ok = all(char in "0123456789" for char in digits) and len(digits) in (9, 10)
    return digits if ok and digits.startswith("3") else None


def reference_partita_iva(text: str) -> bool:
    # The Partita IVA check digit is Luhn over its 11 digits, read from the right.
    return len(text) == 11 and all(c in "0123456789" for c in text) and luhn_valid(text)


# ------------------------------------------------------------------ columns match the spec


def test_every_kind_has_the_spec_prefix() -> None:
    assert [(kind.name, kind.prefix) for kind in KINDS] == [
        ("customers", "clienti"),
        ("devices", "dispositivi"),
        ("claims", "segnalazioni"),
        ("enablements", "abilitazioni"),
        ("assistance_points", "punti_assistenza"),
        ("users", "utenti"),
        ("delivery_addresses", "sedi"),
    ]


@pytest.mark.parametrize(
    "kind_name",
    ["customers", "devices", "claims", "enablements", "assistance_points", "users",
     "delivery_addresses"],
)
def test_columns_are_the_spec_headers_in_order(
    kind_name: str, spec_headers: dict[str, list[str]]
) -> None:
    kind = KIND_BY_NAME[kind_name]
    assert [column.header for column in columns(kind.model)] == spec_headers[kind_name]


def test_required_columns_and_keys_follow_the_spec() -> None:
    required = {
        kind.name: [c.header for c in columns(kind.model) if c.required] for kind in KINDS
    }
    assert required == {
        "customers": ["Codice cliente", "Ragione sociale", "Partita IVA"],
        "devices": ["Codice cliente", "IMEI"],
        "claims": [
            "Numero richiesta",
            "Data ultimo aggiornamento",
            "Codice cliente",
            "IMEI",
            "Tipo richiesta",
            "Data apertura",
            "Stato",
        ],
        "enablements": ["Codice cliente", "NMU"],
        "assistance_points": ["Codice punto"],
        "users": ["Utente"],
        "delivery_addresses": ["Codice cliente", "Codice sede", "Indirizzo", "Comune"],
    }
    assert {kind.name: kind.key for kind in KINDS} == {
        "customers": ("customer_code",),
        "devices": ("imei",),
        "claims": ("request_number",),
        "enablements": ("customer_code", "nmu"),
        "assistance_points": ("point_code",),
        "users": ("login",),
        "delivery_addresses": ("customer_code", "site_code"),
    }


def test_claim_column_kinds_and_enumerations() -> None:
    by_header = {column.header: column for column in columns(Claim)}
    assert by_header["Stato"].kind is ColumnKind.ENUM
    assert by_header["Stato"].values == (
        "Aperta",
        "In attesa documentazione",
        "In lavorazione",
        "In consegna",
        "Disponibile al ritiro",
        "Consegnata",
        "Chiusa",
        "Non accolta",
        "KO tecnico",
        "Annullata",
    )
    assert by_header["Canale"].values == ("Area Clienti", "Email", "191", "800.191.101")
    assert by_header["Modalità consegna"].values == ("Punto assistenza", "Sede azienda")
    kinds = {header: column.kind for header, column in by_header.items()}
    assert [h for h, k in kinds.items() if k is ColumnKind.DATETIME] == [
        "Data ultimo aggiornamento",
        "Data apertura",
        "Data ricezione documentazione",
        "Data disponibilità sostitutivo",
        "Data chiusura",
    ]
    assert [h for h, k in kinds.items() if k is ColumnKind.BOOLEAN] == [
        "Documento identità",
        "Denuncia",
        "Modulo blocco",
        "Modello equivalente",
    ]
    assert [h for h, k in kinds.items() if k is ColumnKind.IMEI] == ["IMEI", "IMEI sostitutivo"]


@pytest.mark.parametrize(
    ("file_name", "kind_name"),
    [
        ("clienti_2024-03.csv", "customers"),
        ("DISPOSITIVI.xlsx", "devices"),
        ("Segnalazioni_20240305.csv", "claims"),
        ("abilitazioni.csv", "enablements"),
        ("punti_assistenza_2024.xlsx", "assistance_points"),
        ("utenti.csv", "users"),
        ("Sedi_2026-12-01.csv", "delivery_addresses"),
        ("richieste_20261207-101500.csv", None),
        ("reclami_2024.csv", None),
        ("export_clienti.csv", None),
    ],
)
def test_kind_for_file(file_name: str, kind_name: str | None) -> None:
    kind = kind_for_file(file_name)
    assert (kind.name if kind else None) == kind_name


def test_normalise_header() -> None:
    assert normalise_header("\ufeff  numero   RICHIESTA ") == "numero richiesta"
    assert normalise_header("MODALITÀ\u00a0consegna") == "modalità consegna"


# ------------------------------------------------------------------ records


def test_record_from_row_validates_a_good_claim(rows: RowBuilders) -> None:
    row = rows.claim(
        imei="49-015420-323751-07",
        nmu="+39 335 123 4567",
        request_type="Furto/Smarrimento",
        id_document="sì",
        police_report="N",
    )
    row = {f"  {header.upper()} ": value for header, value in row.items()}
    claim = record_from_row(KIND_BY_NAME["claims"], row)
    assert isinstance(claim, Claim)
    assert claim.request_number == "R0001"
    assert claim.imei == "490154203237518"
    assert claim.nmu == "3351234567"
    assert claim.updated_at == datetime(2024, 3, 5, 10, 30)
    assert claim.opened_at == datetime(2024, 3, 4, 9, 15)
    assert claim.id_document is True
    assert claim.police_report is False
    assert claim.blocking_form is None
    assert claim.status == "In lavorazione"
    assert claim.replacement_imei is None
    assert claim.closed_at is None


def test_enumeration_values_match_in_any_case_like_the_staging_sql(rows: RowBuilders) -> None:
    row = rows.claim(
        request_type="FURTO/smarrimento", status="in LAVORAZIONE", Canale="area clienti"
    )
    claim = record_from_row(KIND_BY_NAME["claims"], row)
    assert (claim.request_type, claim.status, claim.channel) == (
        "Furto/Smarrimento", "In lavorazione", "Area Clienti",
    )
    with pytest.raises(ValidationError):
        record_from_row(KIND_BY_NAME["claims"], rows.claim(status="Aperto"))


def test_record_from_row_reads_every_kind(rows: RowBuilders) -> None:
    customer = record_from_row(KIND_BY_NAME["customers"], rows.customer())
    assert customer.vat_number == "01234567897"
    device = record_from_row(KIND_BY_NAME["devices"], rows.device(start="2024-01-01"))
    assert device.protection_start == date(2024, 1, 1)
    assert device.protection_end == date(2025, 12, 31)
    enablement = record_from_row(
        KIND_BY_NAME["enablements"], rows.enablement(nmu="0039 347 987 6543")
    )
    assert (enablement.nmu, enablement.enabled) == ("3479876543", True)
    point = record_from_row(KIND_BY_NAME["assistance_points"], rows.assistance_point())
    assert point.province == "RM"
    user = record_from_row(KIND_BY_NAME["users"], rows.user())
    assert (user.login, user.profile, user.nmu) == ("mandatario@rossi.it", "Mandatario", None)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"number": ""}, "request_number"),
        ({"imei": "490154203237519"}, "imei"),
        ({"imei": "3,52E+14"}, "imei"),
        ({"imei": "3.52099E+14"}, "imei"),
        ({"nmu": "06 1234567"}, "nmu"),
        ({"opened": "31/02/2024 09:00"}, "opened_at"),
        ({"updated": "ieri"}, "updated_at"),
        ({"status": "Sospesa"}, "status"),
        ({"police_report": "Forse"}, "police_report"),
        ({"request_type": ""}, "request_type"),
    ],
)
def test_record_from_row_rejects_a_bad_claim(
    rows: RowBuilders, changes: dict[str, str], field: str
) -> None:
    with pytest.raises(ValidationError) as raised:
        record_from_row(KIND_BY_NAME["claims"], rows.claim(**changes))
    assert [error["loc"] for error in raised.value.errors()] == [(field,)]


def test_record_from_row_rejects_a_bad_partita_iva(rows: RowBuilders) -> None:
    with pytest.raises(ValidationError) as raised:
        record_from_row(KIND_BY_NAME["customers"], rows.customer(vat="01234567890"))
    assert [error["loc"] for error in raised.value.errors()] == [("vat_number",)]


# ------------------------------------------------------------------ the Python rules, by example


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("490154203237518", "490154203237518"),
        ("49 015420 323751 8", "490154203237518"),
        ("49.015420.323751-8", "490154203237518"),
        ("4901542032375107", "490154203237518"),  # IMEISV: body + software version 07
        ("49-015420-323751-99", "490154203237518"),
        ("490154203237519", None),  # wrong check digit
        ("49015420323751", None),  # 14 digits
        ("49015420323751812", None),  # 17 digits
        ("3,52E+14", None),
        ("3.52099E+14", None),
        ("352099E14", None),
        ("４90154203237518", None),  # a full-width digit is not a digit of an IMEI
        ("", None),
        (None, None),
    ],
)
def test_normalise_imei(text: str | None, expected: str | None) -> None:
    assert normalise_imei(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("+39 335 123 4567", "3351234567"),
        ("0039 335.123.4567", "3351234567"),
        ("335-123-4567", "3351234567"),
        ("3351234567", "3351234567"),
        ("335123456", "335123456"),
        ("+393351234567", "3351234567"),
        ("06 1234567", None),  # a landline
        ("33512345678", None),  # 11 digits
        ("+44 7700 900123", None),
        ("335 123 456a", None),
        ("", None),
        (None, None),
    ],
)
def test_normalise_nmu(text: str | None, expected: str | None) -> None:
    assert normalise_nmu(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("01234567897", True),
        ("01234567890", False),
        ("12345678903", True),
        ("1234567890", False),
        ("0123456789 7", False),
        ("", False),
        (None, False),
    ],
)
def test_partita_iva_valid(text: str | None, expected: bool) -> None:
    assert partita_iva_valid(text) is expected


@given(st.text(alphabet="0123456789", min_size=14, max_size=14))
def test_luhn_check_digit_agrees_with_the_textbook_luhn(body: str) -> None:
    assert body + str(luhn_check_digit(body)) == imei_with_check_digit(body)


@given(st.text(alphabet="0123456789", min_size=10, max_size=10))
def test_partita_iva_check_digit_agrees_with_luhn(body: str) -> None:
    digit = partita_iva_check_digit(body)
    assert reference_partita_iva(body + str(digit))
    assert all(not partita_iva_valid(body + str(d)) for d in range(10) if d != digit)


# ------------------------------------------------------------------ SQL macros agree with Python

SEPARATORS = [" ", ".", "-", "  ", "\t", " - "]
DIGITS = "0123456789"


@st.composite
def valid_imeis(draw: st.DrawFn) -> str:
    body = draw(st.text(alphabet=DIGITS, min_size=14, max_size=14))
    imei = imei_with_check_digit(body)
    if draw(st.booleans()):  # an IMEISV instead
        imei = body + draw(st.text(alphabet=DIGITS, min_size=2, max_size=2))
    return draw(with_separators(imei))


@st.composite
def with_separators(draw: st.DrawFn, text: str) -> str:
    cuts = draw(st.lists(st.integers(0, len(text)), max_size=4))
    pieces, start = [], 0
    for cut in sorted(cuts):
        pieces += [text[start:cut], draw(st.sampled_from(SEPARATORS))]
        start = cut
    return "".join(pieces) + text[start:]


@st.composite
def phone_numbers(draw: st.DrawFn) -> str:
    prefix = draw(st.sampled_from(["", "+39", "0039", "+39 ", "0039 ", "+44", "39", "+3939"]))
    first = draw(st.sampled_from(["3", "3", "3", "0", "8"]))
    rest = draw(st.text(alphabet=DIGITS, min_size=7, max_size=10))
    return prefix + draw(with_separators(first + rest))


@st.composite
def partite_iva(draw: st.DrawFn) -> str:
    body = draw(st.text(alphabet=DIGITS, min_size=10, max_size=10))
    digit = draw(st.sampled_from([partita_iva_check_digit(body), draw(st.integers(0, 9))]))
    return body + str(digit)


identifier_alphabet = st.sampled_from(
    list(DIGITS) * 4
    + [" ", ".", "-", "+", ",", "E", "e", "a", "\t", "\n", "\u00a0", "/", "_"]
    + ["٣", "４", "²", "৩", "Ⅻ"]  # digits and numbers of other scripts
)
identifier_texts = st.one_of(
    valid_imeis(),
    phone_numbers(),
    partite_iva(),
    st.text(alphabet=DIGITS, min_size=14, max_size=17),
    st.text(alphabet=identifier_alphabet, max_size=20),
    st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00"), max_size=20),
    st.sampled_from(["3,52E+14", "3.52099E+14", "+39 335 123 4567", "0039", "+39", ""]),
)


@pytest.fixture(scope="module")
def macros() -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect()
    con.execute((SQL_DIR / "schema" / "00_macros.sql").read_text(encoding="utf-8"))
    yield con
    con.close()


def run_macros(con: duckdb.DuckDBPyConnection, values: list[str]) -> list[tuple[Any, ...]]:
    return con.execute(
        """
        select imei_normalise(value), nmu_normalise(value), partita_iva_valid(value)
        from (select unnest($values) as value, unnest(range(len($values))) as position)
        order by position
        """,
        {"values": values},
    ).fetchall()


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(identifier_texts, min_size=1, max_size=40))
@example(["4901542032375107", "49 015420 323751 8", "+39 335 123 4567", "01234567897"])
@example(["3,52E+14", "3.52099E+14", "４90154203237518", "0039 3351234567", "+390039335123456"])
def test_sql_macros_and_python_rules_agree(
    macros: duckdb.DuckDBPyConnection, values: list[str]
) -> None:
    """SQL macros == Python reference rules == the independent references above."""
    from_python = [
        (normalise_imei(value), normalise_nmu(value), partita_iva_valid(value)) for value in values
    ]
    assert run_macros(macros, values) == from_python
    assert [
        (reference_imei(value), reference_nmu(value), reference_partita_iva(value))
        for value in values
    ] == from_python


def test_sql_macros_on_null(macros: duckdb.DuckDBPyConnection) -> None:
    assert macros.execute(
        "select imei_normalise(null), nmu_normalise(null), partita_iva_valid(null)"
    ).fetchone() == (None, None, False)


# The version order's parts, each over its whole range (times to the second).
whole_seconds = st.datetimes().map(lambda moment: moment.replace(microsecond=0))
version_parts = st.tuples(
    st.none() | whole_seconds,
    st.dates(),
    st.integers(min_value=0, max_value=2**31 - 1),
    st.integers(min_value=0, max_value=2**36 - 1),
)


def order_key(parts: tuple[datetime | None, date, int, int]) -> tuple[datetime, date, int, int]:
    changed, file_date, load_id, line = parts
    return (changed or datetime(1, 1, 1), file_date, load_id, line)


@settings(max_examples=150, deadline=None)
@given(st.lists(version_parts, min_size=2, max_size=30))
@example([(None, date(2024, 3, 1), 7, 2), (datetime(1, 1, 1), date(2024, 3, 1), 7, 3)])
@example([(datetime(1969, 12, 31, 23, 59, 59), date(9999, 12, 31), 2**31 - 1, 2**36 - 1),
          (datetime(1970, 1, 1), date(1, 1, 1), 0, 0)])
def test_version_rank_orders_as_the_parts_do_and_keeps_the_lineage(
    macros: duckdb.DuckDBPyConnection, versions: list[tuple[datetime | None, date, int, int]]
) -> None:
    ranked = macros.execute(
        """
        select position, version_file_date(rank), version_load_id(rank), version_line(rank)
        from (
            select position, version_rank(changed, file_date, load_id, line) as rank
            from (select unnest($changed) as changed, unnest($file_date) as file_date,
                         unnest($load_id) as load_id, unnest($line) as line,
                         unnest(range(len($line))) as position)
        )
        order by rank, position
        """,
        {"changed": [v[0] for v in versions], "file_date": [v[1] for v in versions],
         "load_id": [v[2] for v in versions], "line": [v[3] for v in versions]},
    ).fetchall()

    expected = sorted(range(len(versions)), key=lambda i: (order_key(versions[i]), i))
    assert [row[0] for row in ranked] == expected
    assert [row[1:] for row in ranked] == [versions[i][1:] for i in expected]


@settings(max_examples=80, deadline=None)
@given(st.lists(st.one_of(
    st.text(alphabet=DIGITS, min_size=3, max_size=7),
    st.text(alphabet=identifier_alphabet, max_size=7),
), min_size=1, max_size=30))
@example(["00184", "0184", "2O121", "٣٣٣٣٣", "１２３４５", "001841", " 00184"])
def test_the_staging_sql_and_python_agree_on_a_cap(values: list[str]) -> None:
    """A CAP is five ASCII digits, in the loader's SQL as in the record's validation."""
    from pipelines.contract import DeliveryAddress, postcode_valid
    from pipelines.ingest.staging import _typed

    [column] = [c for c in columns(DeliveryAddress) if c.name == "postcode"]
    con = duckdb.connect()
    try:
        # the SQL is the staging expression the contract generates, never an input
        sql = (f"select {_typed(column)} from (select unnest($values) as cell_postcode, "  # noqa: S608
               "unnest(range(len($values))) as position) order by position")
        from_sql = [value for (value,) in con.execute(sql, {"values": values}).fetchall()]
    finally:
        con.close()
    assert from_sql == [value if postcode_valid(value) else None for value in values]
