"""Every profile against every data-access function: nothing outside a principal's scope."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import fields
from datetime import date, datetime
from functools import cache
from pathlib import Path

import pandas as pd
import pytest

from dashboard.access import auth, data
from dashboard.access.connections import connections, data_version
from dashboard.access.principal import Principal
from pipelines.appstate import accounts
from pipelines.ingest.load import load_paths

FIXTURES = Path(__file__).parents[1] / "fixtures" / "access"
AS_OF = date(2025, 3, 14)  # a Friday: RK-1001 breached, RK-1004 at risk, RK-1003 on track

X, Y, Z = "X001", "Y002", "Z003"
CUSTOMER_NAMES = {X: "Studio Alfa", Y: "Beta Industrie SpA", Z: "Gamma Logistica Srl"}
# request number -> (customer, line, IMEI)
CLAIMS = {
    "RK-1001": (X, "3331000001", "352099110000011"),
    "RK-1002": (X, "3331000001", "352099110000011"),
    "RK-1003": (X, "3331000002", "352099110000029"),
    "RK-1004": (X, "3331000003", "352099110000037"),
    "RK-2001": (Y, "3332000001", "352099220000018"),
    "RK-2002": (Y, "3332000002", "352099220000026"),
    "RK-3001": (Z, "3333000001", "352099330000015"),
}
ALL_CLAIMS = set(CLAIMS)
OF_X = {number for number, (customer, _, _) in CLAIMS.items() if customer == X}
OF_Y = {number for number, (customer, _, _) in CLAIMS.items() if customer == Y}
OF_Z = {number for number, (customer, _, _) in CLAIMS.items() if customer == Z}

# login -> (profile, customers in scope, claims in scope)
MATRIX: dict[str, tuple[str, set[str], set[str]]] = {
    "direzione@carrier.it": ("Management", {X, Y, Z}, ALL_CLAIMS),
    "anna.am@carrier.it": ("Account Manager", {X, Z}, OF_X | OF_Z),
    "bruno.am@carrier.it": ("Account Manager", {Y}, OF_Y),
    "legale@alfa.it": ("Rappresentante Legale", {X}, OF_X),
    "amministratore@alfa.it": ("Amministratore", {X}, OF_X),
    "mandatario@alfa.it": ("Mandatario", {X}, OF_X),
    "carla.verdi@alfa.it": ("Dipendente", {X}, {"RK-1001", "RK-1002"}),
    "dario.neri@alfa.it": ("Dipendente", set(), set()),  # line disabled in the export
    "mandatario@beta.it": ("Mandatario", {Y}, OF_Y),
    "master@beta.it": ("Master", {Y}, OF_Y),
    "fabio.gialli@beta.it": ("Dipendente", {Y}, {"RK-2001"}),
    "mandatario@gamma.it": ("Mandatario", {Z}, OF_Z),
}
LOGINS = list(MATRIX)

INJECTIONS = [
    "' OR 1=1 --",
    "%",
    "_",
    "'; DROP TABLE core.claims; --",
    "\u2019 OR \u20181\u2019=\u20181",  # typographic quotes
    "\uff07 OR 1=1 --",  # fullwidth apostrophe
    '" OR ""="',
    "3520%",
    "X00_",
    "*",
    "\\",
    "$customers",
]


@pytest.fixture(scope="session")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("access") / "kasko.duckdb"
    results = load_paths([FIXTURES], db)
    assert [r.error for r in results if r.error] == []
    assert sum(r.quarantined for r in results) == 0
    return db


@pytest.fixture
def own_warehouse(warehouse: Path, tmp_path: Path) -> Path:
    """A copy for a test that writes (enablement changes, later loads), with its own app DB."""
    db = tmp_path / "kasko.duckdb"
    shutil.copyfile(warehouse, db)
    return db


def principal(db: Path, login: str) -> Principal:
    found = auth.principal_for_login(db, login)
    assert found is not None, login
    return found


def claim_numbers(frame: pd.DataFrame) -> set[str]:
    return set(frame["request_number"])


def everything_seen(db: Path, who: Principal) -> dict[str, object]:
    """Every data-access function's answer to this principal, by call."""
    seen: dict[str, object] = {
        "customers_in_scope": data.customers_in_scope(who, warehouse=db),
        "list_claims history": data.list_claims(who, data.ClaimFilters(), AS_OF, db),
        "list_claims monitoring": data.list_claims(
            who, data.ClaimFilters(view="monitoring", sort="newest"), AS_OF, db
        ),
        "list_claims imei 3520": data.list_claims(who, data.ClaimFilters(imei="3520"), AS_OF, db),
        "sla_summary": data.sla_summary(who, AS_OF, warehouse=db),
        "sla_by_period month": data.sla_by_period(who, AS_OF, "month", warehouse=db),
        "portfolio": data.portfolio(who, AS_OF, warehouse=db),
        "data_quality": data.data_quality(who, warehouse=db),
    }
    for dimension in ("customer", "account_manager", "device_model"):
        seen[f"sla_breakdown {dimension}"] = data.sla_breakdown(who, dimension, AS_OF,
                                                                warehouse=db)
    for number in CLAIMS:
        seen[f"claim_detail {number}"] = data.claim_detail(who, number, AS_OF, db)
    for customer in (X, Y, Z):
        seen[f"sla_summary {customer}"] = data.sla_summary(who, AS_OF, customer_code=customer,
                                                           warehouse=db)
        seen[f"list_lines {customer}"] = data.list_lines(who, customer, warehouse=db)
        seen[f"audit_trail {customer}"] = data.audit_trail(who, customer, warehouse=db)
    return seen


@pytest.fixture(scope="session")
def seen(warehouse: Path) -> Callable[[str], dict[str, object]]:
    """Each principal's answers, computed once for the whole matrix."""
    return cache(lambda login: everything_seen(warehouse, principal(warehouse, login)))


def as_text(answer: object) -> str:
    if answer is None:
        return ""
    if isinstance(answer, pd.DataFrame):
        return answer.to_csv(index=False)
    if isinstance(answer, data.ClaimDetail | data.DataQuality):
        return "\n".join(as_text(getattr(answer, f.name)) for f in fields(answer))
    return repr(answer)


def tokens_of(claims: set[str]) -> set[str]:
    return {token for number in claims for token in (number, *CLAIMS[number][1:])}


def customer_codes(answer: object) -> set[str]:
    """Every customer code an answer carries, wherever it is."""
    if isinstance(answer, pd.DataFrame):
        return set(answer["customer_code"].dropna()) if "customer_code" in answer else set()
    if isinstance(answer, dict):
        return {answer["customer_code"]} if answer.get("customer_code") else set()
    if isinstance(answer, data.ClaimDetail):
        return (customer_codes(answer.claim) | customer_codes(answer.versions)
                | customer_codes(answer.device))
    return set()


# ---------------------------------------------------------------- the matrix


@pytest.mark.parametrize("login", LOGINS)
def test_principals_come_from_core_users(warehouse: Path, login: str) -> None:
    profile = MATRIX[login][0]
    assert principal(warehouse, login).profile == profile
    # logins are e-mails: found trimmed and case-insensitively
    assert principal(warehouse, f"  {login.upper()} ").login == login


@pytest.mark.parametrize("login", LOGINS)
def test_nothing_outside_the_scope_reaches_anyone(
    seen: Callable[[str], dict[str, object]], login: str
) -> None:
    """No row, cell or detail of another customer (or, for a Dipendente, another line)."""
    _, customers, claims = MATRIX[login]
    out_of_scope_customers = {X, Y, Z} - customers
    forbidden = tokens_of(ALL_CLAIMS - claims) - tokens_of(claims)
    forbidden |= out_of_scope_customers | {CUSTOMER_NAMES[c] for c in out_of_scope_customers}
    for call, answer in seen(login).items():
        assert customer_codes(answer) <= customers, (login, call)
        text = as_text(answer)
        leaked = sorted(token for token in forbidden if token in text)
        assert leaked == [], (login, call, leaked)


@pytest.mark.parametrize("login", LOGINS)
def test_every_answer_is_the_same_for_the_scope_key_the_cache_shares(
    warehouse: Path, seen: Callable[[str], dict[str, object]], login: str
) -> None:
    who = principal(warehouse, login)
    assert who.scope_key.full_name is None
    by_key = everything_seen(warehouse, who.scope_key)
    assert {call: as_text(answer) for call, answer in by_key.items()} == {
        call: as_text(answer) for call, answer in seen(login).items()
    }


def test_only_principals_of_one_scope_share_a_scope_key(warehouse: Path) -> None:
    keys = {login: principal(warehouse, login).scope_key for login in LOGINS}
    # the two Account Managers, and each customer's profiles, keep keys of their own
    assert len(set(keys.values())) == len(LOGINS)
    # another Mandatario of Alfa, by another login, shares the first one's
    other = Principal("secondo.mandatario@alfa.it", "Secondo Mandatario", "Mandatario", X)
    assert other.scope_key == keys["mandatario@alfa.it"]
    # another Account Manager does not
    assert Principal("carlo.am@carrier.it", None, "Account Manager").scope_key not in (
        keys["anna.am@carrier.it"], keys["bruno.am@carrier.it"])


@pytest.mark.parametrize("login", LOGINS)
def test_claim_lists_are_exactly_the_scope(
    seen: Callable[[str], dict[str, object]], login: str
) -> None:
    _, customers, claims = MATRIX[login]
    answers = seen(login)
    assert claim_numbers(answers["list_claims history"]) == claims
    assert claim_numbers(answers["list_claims imei 3520"]) == (
        claims if MATRIX[login][0] != "Dipendente" else set()  # a part of an IMEI: not for them
    )
    # closed, rejected and withdrawn claims are history only
    assert claim_numbers(answers["list_claims monitoring"]) == claims - {"RK-1002", "RK-3001"}
    for number in ALL_CLAIMS:
        assert (answers[f"claim_detail {number}"] is not None) == (number in claims), number
    assert set(answers["customers_in_scope"]["customer_code"]) == customers


@pytest.mark.parametrize("login", LOGINS)
def test_aggregates_count_the_scope_only(
    seen: Callable[[str], dict[str, object]], login: str
) -> None:
    profile, customers, claims = MATRIX[login]
    answers = seen(login)
    summary, by_period, by_customer = (
        answers["sla_summary"], answers["sla_by_period month"], answers["sla_breakdown customer"]
    )
    if profile == "Dipendente":  # a line's scope cannot be aggregated: no aggregates at all
        assert summary.empty and by_period.empty and by_customer.empty
        return
    assert summary["claims"].tolist() == [len(claims)]
    assert by_period["claims"].sum() == len(claims)
    assert set(by_customer["key"]) == {CLAIMS[n][0] for n in claims}
    for customer in (X, Y, Z):
        narrowed = answers[f"sla_summary {customer}"]["claims"].tolist()
        if customer in customers:
            assert narrowed == [len({n for n in claims if CLAIMS[n][0] == customer})]
        else:  # out of scope: the same as a customer that does not exist
            assert narrowed == []


@pytest.mark.parametrize("login", LOGINS)
def test_portfolio_is_the_account_managers_customers(
    seen: Callable[[str], dict[str, object]], login: str
) -> None:
    profile, customers, _ = MATRIX[login]
    found = seen(login)["portfolio"]
    if profile in ("Management", "Account Manager"):
        assert set(found["customer_code"]) == customers
    else:
        assert found.empty


def test_portfolio_figures(warehouse: Path) -> None:
    found = data.portfolio(principal(warehouse, "anna.am@carrier.it"), AS_OF, warehouse)
    alfa = found.set_index("customer_code").loc[X]
    assert alfa["covered_devices"] == 3
    assert alfa["coverage_expiring_90_days"] == 1  # the Galaxy S24, to 31/03/2025
    assert alfa["claims_12_months"] == 4
    assert alfa["claims_per_100_devices"] == pytest.approx(133.3)
    assert (alfa["met_12_months"], alfa["breached_12_months"]) == (1, 1)
    assert alfa["compliance"] == pytest.approx(0.5)
    assert (alfa["open_at_risk"], alfa["open_breached"]) == (1, 1)


@pytest.mark.parametrize("login", LOGINS)
def test_data_quality_is_for_management_only(
    seen: Callable[[str], dict[str, object]], login: str
) -> None:
    found = seen(login)["data_quality"]
    if MATRIX[login][0] == "Management":
        assert isinstance(found, data.DataQuality)
        assert len(found.load_log) == 8
        assert found.quarantine.empty
        assert found.flag_counts.to_dict("records") == [
            {"entity": "claim", "flag": "protection_not_active", "rows": 1}
        ]
    else:
        assert found is None


@pytest.mark.parametrize("login", LOGINS)
def test_line_register_and_audit_within_scope(
    seen: Callable[[str], dict[str, object]], login: str
) -> None:
    profile, customers, _ = MATRIX[login]
    answers = seen(login)
    for customer in (X, Y, Z):
        lines, audit = answers[f"list_lines {customer}"], answers[f"audit_trail {customer}"]
        visible = customer in customers and profile != "Dipendente"
        assert (not lines.empty) == visible, customer
        assert set(lines["customer_code"]) <= {customer}
        assert set(audit["customer_code"]) <= ({customer} if visible else set())


# ---------------------------------------------------------------- employees and IMEI search


def test_an_enabled_employee_finds_only_their_own_imei(warehouse: Path) -> None:
    carla = principal(warehouse, "carla.verdi@alfa.it")
    own = data.list_claims(carla, data.ClaimFilters(imei="352099110000011"), AS_OF, warehouse)
    assert claim_numbers(own) == {"RK-1001", "RK-1002"}
    typed = data.list_claims(carla, data.ClaimFilters(imei="35209911 0000011"), AS_OF, warehouse)
    assert claim_numbers(typed) == {"RK-1001", "RK-1002"}
    for other in ("35209911", "0000011", "352099110000029", "352099220000018", "352099110000094"):
        found = data.list_claims(carla, data.ClaimFilters(imei=other), AS_OF, warehouse)
        assert found.empty, other


def test_profiles_that_may_search_find_imei_parts_within_scope(warehouse: Path) -> None:
    legale = principal(warehouse, "legale@alfa.it")
    found = data.list_claims(legale, data.ClaimFilters(imei="35209911"), AS_OF, warehouse)
    assert claim_numbers(found) == OF_X
    found = data.list_claims(legale, data.ClaimFilters(imei="352099220000018"), AS_OF, warehouse)
    assert found.empty  # Y's device: not in scope, same answer as not existing
    anna = principal(warehouse, "anna.am@carrier.it")
    found = data.list_claims(anna, data.ClaimFilters(imei="3520993"), AS_OF, warehouse)
    assert claim_numbers(found) == OF_Z


def test_a_disabled_employee_sees_nothing(seen: Callable[[str], dict[str, object]]) -> None:
    for call, answer in seen("dario.neri@alfa.it").items():
        if isinstance(answer, pd.DataFrame):
            assert answer.empty, call
        else:
            assert answer is None, call


# ---------------------------------------------------------------- filters


def test_filters_and_urgency_order(warehouse: Path) -> None:
    management = principal(warehouse, "direzione@carrier.it")
    urgent = data.list_claims(management, data.ClaimFilters(view="monitoring"), AS_OF, warehouse)
    # sla.md "Ticket views": waiting for documentation before on track, collection last
    assert urgent["request_number"].tolist() == [
        "RK-1001", "RK-1004", "RK-2002", "RK-1003", "RK-2001"
    ]
    assert urgent["sla_state"].tolist() == [
        "breached", "at_risk", "pending_documentation", "on_track", "met"
    ]

    def numbers(**given: object) -> list[str]:
        filters = data.ClaimFilters(sort="newest", **given)
        return data.list_claims(management, filters, AS_OF, warehouse)["request_number"].tolist()

    assert numbers(request_types="Furto/Smarrimento") == ["RK-2002", "RK-1002"]
    assert numbers(statuses=("Aperta", "Non accolta")) == ["RK-1003", "RK-3001"]
    assert numbers(channels=["191"]) == ["RK-1004", "RK-1002"]
    assert numbers(delivery_modes=["Sede azienda"]) == ["RK-1004", "RK-3001"]
    assert numbers(sla_states=["met"]) == ["RK-2001", "RK-1002"]
    assert numbers(opened_from=date(2025, 3, 5), opened_to=date(2025, 3, 12)) == [
        "RK-1003", "RK-1004", "RK-2001"
    ]
    assert numbers(nmu="+39 333 200 0001") == ["RK-2001"]
    assert numbers(nmu="+39 3332") == ["RK-2002", "RK-2001"]
    assert numbers(request_number="rk-10", limit=2) == ["RK-1003", "RK-1004"]
    assert numbers(customer_code=Z) == ["RK-3001"]
    # separators alone are no identifier: nothing, not everything
    assert numbers(imei="-") == numbers(nmu=" . ") == []
    assert numbers(imei="  ") == numbers()  # an emptied box is no filter
    oldest = data.list_claims(management, data.ClaimFilters(sort="oldest", limit=1), AS_OF,
                              warehouse)
    assert oldest["request_number"].tolist() == ["RK-1002"]


@pytest.mark.parametrize("as_of", [
    AS_OF, date(2025, 3, 5), date(2025, 3, 8), date(2025, 4, 30), date(1990, 1, 1)
])
def test_the_claims_list_figures_are_the_sla_macros(warehouse: Path, as_of: date) -> None:
    """The list computes T's figures over marts.tickets itself; they are marts.ticket_sla's
    (a Saturday, and a day outside the calendar, included)."""
    management = principal(warehouse, "direzione@carrier.it")
    listed = data.list_claims(management, data.ClaimFilters(view="history"), as_of, warehouse)
    figures = ["request_number", "sla_state", "business_days_remaining", "business_days_late",
               "due_date", "business_days_taken"]
    with connections.cursor(warehouse) as cursor:
        expected = cursor.execute(
            """select request_number, sla_state, business_days_remaining, business_days_late,
                      due_date, business_days_taken
               from marts.ticket_sla($as_of) order by request_number""",
            {"as_of": as_of},
        ).df()
    assert len(expected) == len(CLAIMS)
    got = listed[figures].sort_values("request_number").reset_index(drop=True)
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)
    if as_of == AS_OF:
        assert set(got["sla_state"]) >= {"breached", "at_risk", "on_track", "met"}


def test_claim_detail_holds_history_flags_device_and_point(warehouse: Path) -> None:
    legale = principal(warehouse, "legale@alfa.it")
    detail = data.claim_detail(legale, " RK-1001 ", AS_OF, warehouse)
    assert detail is not None
    assert detail.claim["sla_state"] == "breached"
    assert detail.claim["due_date"].date() == date(2025, 3, 10)
    assert detail.versions["status"].tolist() == ["Aperta", "In lavorazione"]
    assert detail.flags.empty
    assert detail.device is not None and detail.device["assignee"] == "Carla Verdi"
    assert detail.delivery_point is not None and detail.delivery_point["municipality"] == "Roma"
    master = principal(warehouse, "master@beta.it")
    flagged = data.claim_detail(master, "RK-2002", AS_OF, warehouse)
    assert flagged is not None and flagged.flags["flag"].tolist() == ["protection_not_active"]
    assert data.claim_detail(master, "RK-1001", AS_OF, warehouse) is None
    assert data.claim_detail(master, "RK-9999", AS_OF, warehouse) is None


@pytest.mark.parametrize("attempt", INJECTIONS)
def test_injection_attempts_find_nothing_and_break_nothing(warehouse: Path, attempt: str) -> None:
    management = principal(warehouse, "direzione@carrier.it")
    for name in ("imei", "nmu", "request_number", "customer_code"):
        for who in (management, principal(warehouse, "carla.verdi@alfa.it")):
            filters = data.ClaimFilters(**{name: attempt})
            assert data.list_claims(who, filters, AS_OF, warehouse).empty, name
    assert data.claim_detail(management, attempt, AS_OF, warehouse) is None
    assert data.list_lines(management, attempt, warehouse=warehouse).empty
    assert data.list_lines(management, X, search=attempt, warehouse=warehouse).empty
    assert data.audit_trail(management, attempt, warehouse=warehouse).empty
    assert data.sla_summary(management, AS_OF, customer_code=attempt,
                            warehouse=warehouse)["claims"].tolist() == [0]  # no such customer
    assert auth.principal_for_login(warehouse, attempt) is None
    with pytest.raises(PermissionError):
        data.set_enablement(principal(warehouse, "legale@alfa.it"), X, [attempt], True,
                            warehouse)
    with connections.cursor(warehouse) as cursor:
        assert cursor.execute("select count(*) from core.claims").fetchone() == (7,)


# ---------------------------------------------------------------- enablement


def audit_rows(db: Path, who: Principal, customer: str, source: str) -> list[tuple]:
    audit = data.audit_trail(who, customer, warehouse=db)
    mine = audit[audit["source"] == source]
    return [
        (row.nmu, row.changed_by, None if pd.isna(row.enabled_before) else bool(row.enabled_before),
         bool(row.enabled_after))
        for row in mine.itertuples()
    ]


def test_legal_representative_changes_lines_with_an_audit_row_each(own_warehouse: Path) -> None:
    legale = principal(own_warehouse, "legale@alfa.it")
    version = data_version(own_warehouse)
    changed = data.set_enablement(legale, X, ["3331000003", "333 100 0001"], False, own_warehouse)
    assert changed == 1  # 3331000003 was never enabled: only 3331000001 changes
    assert data_version(own_warehouse) != version  # cached answers are not served any more
    changed = data.set_enablement(legale, X, ["3331000003", "3331000002"], True, own_warehouse)
    assert changed == 2
    # newest first; one change's lines in reverse order of recording
    assert audit_rows(own_warehouse, legale, X, "dashboard") == [
        ("3331000002", "legale@alfa.it", False, True),
        ("3331000003", "legale@alfa.it", None, True),
        ("3331000001", "legale@alfa.it", True, False),
    ]
    # the export's history is there too, with its own before and after
    assert audit_rows(own_warehouse, legale, X, "export") == [
        ("3331000002", "legale@alfa.it", True, False),
        ("3331000001", "legale@alfa.it", None, True),
        ("3331000002", "legale@alfa.it", None, True),
    ]
    lines = data.list_lines(legale, X, warehouse=own_warehouse).set_index("nmu")
    assert lines["enabled"].to_dict() == {
        "3331000001": False, "3331000002": True, "3331000003": True
    }
    assert lines.loc["3331000002", "enabled_source"] == "dashboard"
    # the employees' scopes follow at once
    carla = principal(own_warehouse, "carla.verdi@alfa.it")
    dario = principal(own_warehouse, "dario.neri@alfa.it")
    assert data.list_claims(carla, as_of=AS_OF, warehouse=own_warehouse).empty
    assert claim_numbers(data.list_claims(dario, as_of=AS_OF, warehouse=own_warehouse)) == {
        "RK-1003"
    }
    # the same state again changes nothing and records nothing
    assert data.set_enablement(legale, X, ["3331000002"], True, own_warehouse) == 0
    assert len(audit_rows(own_warehouse, legale, X, "dashboard")) == 3


def test_mandatario_changes_an_aziende_customers_lines(own_warehouse: Path) -> None:
    mandatario = principal(own_warehouse, "mandatario@beta.it")
    assert data.set_enablement(mandatario, Y, ["3332000001"], False, own_warehouse) == 1
    fabio = principal(own_warehouse, "fabio.gialli@beta.it")
    assert data.list_claims(fabio, as_of=AS_OF, warehouse=own_warehouse).empty


@pytest.mark.parametrize(
    ("login", "customer"),
    [
        ("amministratore@alfa.it", X),
        ("master@beta.it", Y),
        ("carla.verdi@alfa.it", X),
        ("anna.am@carrier.it", X),
        ("direzione@carrier.it", X),
        ("mandatario@alfa.it", X),  # a Mandatario acts for Aziende; Alfa is Professionisti
        ("legale@alfa.it", Y),  # another customer
        ("mandatario@beta.it", Z),
    ],
)
def test_enablement_change_refused(own_warehouse: Path, login: str, customer: str) -> None:
    who = principal(own_warehouse, login)
    line = {X: "3331000003", Y: "3332000002", Z: "3333000001"}[customer]
    with pytest.raises(PermissionError):
        data.set_enablement(who, customer, [line], True, own_warehouse)
    assert accounts.enablement_changes(own_warehouse, None).num_rows == 0


@pytest.mark.parametrize(
    "lines",
    [["3332000001"], ["3331000003", "3332000001"], ["3339999999"], ["not a line"], [""]],
)
def test_enablement_of_lines_not_the_customers_is_refused(own_warehouse: Path,
                                                        lines: list[str]) -> None:
    legale = principal(own_warehouse, "legale@alfa.it")
    with pytest.raises(PermissionError):
        data.set_enablement(legale, X, lines, True, own_warehouse)
    assert accounts.enablement_changes(own_warehouse, None).num_rows == 0


def write_export(folder: Path, name: str, line: str) -> Path:
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text("Codice cliente;NMU;Abilitata;Modificata da;Data modifica\n" + line + "\n",
                    encoding="utf-8")
    return path


def test_most_recent_change_wins_between_dashboard_and_exports(
    own_warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(accounts, "local_now", lambda: datetime(2025, 6, 1, 10, 0))
    legale = principal(own_warehouse, "legale@alfa.it")
    assert data.set_enablement(legale, X, ["3331000001"], False, own_warehouse) == 1

    def carla_sees() -> set[str]:
        carla = principal(own_warehouse, "carla.verdi@alfa.it")
        return claim_numbers(data.list_claims(carla, as_of=AS_OF, warehouse=own_warehouse))

    assert carla_sees() == set()
    # an export made before the dashboard's change does not undo it ...
    older = write_export(tmp_path / "exports", "abilitazioni_2025-05-01.csv",
                         "X001;3331000001;Sì;legale@alfa.it;01/05/2025 08:00")
    assert load_paths([older], own_warehouse)[0].loaded == 1
    assert carla_sees() == set()
    # ... a later one does
    newer = write_export(tmp_path / "exports", "abilitazioni_2025-07-01.csv",
                         "X001;3331000001;Sì;legale@alfa.it;01/07/2025 08:00")
    version = data_version(own_warehouse)
    assert load_paths([newer], own_warehouse)[0].loaded == 1
    assert data_version(own_warehouse) != version
    assert carla_sees() == {"RK-1001", "RK-1002"}
    audit = data.audit_trail(legale, X, warehouse=own_warehouse)
    top = audit[audit["nmu"] == "3331000001"][["changed_at", "source"]].head(3)
    assert top.values.tolist() == [
        [pd.Timestamp(2025, 7, 1, 8, 0), "export"],
        [pd.Timestamp(2025, 6, 1, 10, 0), "dashboard"],
        [pd.Timestamp(2025, 5, 1, 8, 0), "export"],
    ]


def test_a_tie_goes_to_the_dashboard(own_warehouse: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # the export enabled 3331000001 at 10/01/2025 09:00; the dashboard disables it at that minute
    monkeypatch.setattr(accounts, "local_now", lambda: datetime(2025, 1, 10, 9, 0))
    legale = principal(own_warehouse, "legale@alfa.it")
    assert data.set_enablement(legale, X, ["3331000001"], False, own_warehouse) == 1
    lines = data.list_lines(legale, X, warehouse=own_warehouse).set_index("nmu")
    assert not lines.loc["3331000001", "enabled"]
    assert lines.loc["3331000001", "enabled_source"] == "dashboard"


def test_sessions_on_threads_share_the_warehouse_safely(warehouse: Path) -> None:
    """Streamlit runs sessions on threads: each call has its own cursor, answers stay apart."""
    logins = ["direzione@carrier.it", "legale@alfa.it", "carla.verdi@alfa.it", "master@beta.it"]
    principals = [principal(warehouse, login) for login in logins]

    def claims_of(who: Principal) -> set[str]:
        return claim_numbers(data.list_claims(who, as_of=AS_OF, warehouse=warehouse))

    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(claims_of, principals * 3))
    assert answers == [MATRIX[login][2] for login in logins] * 3


# ---------------------------------------------------------------- the claim intake

# login -> (customer whose devices they may open claims for, the one line of a Dipendente)
INTAKE_SCOPE: dict[str, tuple[str | None, str | None]] = {
    "direzione@carrier.it": (None, None),
    "anna.am@carrier.it": (None, None),
    "bruno.am@carrier.it": (None, None),
    "legale@alfa.it": (X, None),
    "amministratore@alfa.it": (X, None),
    "mandatario@alfa.it": (X, None),
    "carla.verdi@alfa.it": (X, "3331000001"),
    "dario.neri@alfa.it": (None, None),  # line disabled
    "mandatario@beta.it": (Y, None),
    "master@beta.it": (Y, None),
    "fabio.gialli@beta.it": (Y, "3332000001"),
    "gino.verde@beta.it": (Y, "3332000005"),
    "mandatario@gamma.it": (Z, None),
}


@pytest.fixture(scope="session")
def intake_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.dashboard.intake_support import build_intake_warehouse

    return build_intake_warehouse(tmp_path_factory.mktemp("intake") / "kasko.duckdb")


@pytest.fixture
def own_intake_warehouse(intake_warehouse: Path, tmp_path: Path) -> Path:
    db = tmp_path / "kasko.duckdb"
    shutil.copyfile(intake_warehouse, db)
    return db


@pytest.mark.parametrize("login", list(INTAKE_SCOPE))
def test_intake_reads_answer_out_of_scope_devices_as_missing(
    intake_warehouse: Path, login: str,
) -> None:
    from dashboard.access import intake
    from tests.dashboard.intake_support import DEVICES, ELIGIBLE, NOW

    who = principal(intake_warehouse, login)
    customer, line = INTAKE_SCOPE[login]
    day = NOW.date()
    assert intake.may_open_claims(who) == (who.profile not in {"Management", "Account Manager"})
    found = intake.search_devices(who, "35209", day, intake_warehouse)
    searchable = customer is not None and line is None
    assert set(found["imei"] if not found.empty else []) == (
        ELIGIBLE[customer] if searchable else set())
    for imei, (owner, owner_line) in DEVICES.items():
        choice = intake.find_device(who, imei, day, intake_warehouse)
        visible = owner == customer and (line is None or owner_line == line)
        assert (choice is not None) == visible, (login, imei)
        if choice is not None:
            assert choice.eligibility.eligible == (imei in ELIGIBLE[owner] and
                                                   imei != "352099110000011"), (login, imei)
    # a device that does not exist gets the same answer as one out of scope
    assert intake.find_device(who, "490154203237518", day, intake_warehouse) is None
    addresses = {a["label"] for a in intake.delivery_addresses(who, Y, intake_warehouse, NOW)}
    assert addresses == ({"Viale Monza 120, 20127 Milano (MI)"} if customer == Y else set())


@pytest.mark.parametrize("login", list(INTAKE_SCOPE))
def test_intake_writes_only_within_scope(own_intake_warehouse: Path, login: str) -> None:
    from dashboard.access import intake
    from tests.dashboard.intake_support import FREE, NOW
    from tests.pipelines.intake.conftest import pdf_bytes

    db = own_intake_warehouse
    who = principal(db, login)
    customer, line = INTAKE_SCOPE[login]
    owner = principal(db, {X: "legale@alfa.it", Y: "mandatario@beta.it",
                           Z: "mandatario@gamma.it"}[Z if customer == X else X])
    # a theft opened by another customer's user: out of everybody's scope here
    foreign_customer = Z if customer == X else X
    foreign = intake.submit_request(
        owner, request_type="Furto/Smarrimento", imei=FREE[foreign_customer],
        delivery_mode="Punto assistenza", assistance_point_code="P001", warehouse=db, now=NOW)
    assert foreign.request_number is not None, foreign.errors
    number = foreign.request_number
    with_owner = intake.upload_document(owner, number, "police_report", pdf_bytes(), db, NOW)
    assert with_owner.ok, with_owner.message
    # carrier staff see the customers' requests in their scope, and may download
    # their documents, but do not act for the customer
    sees = foreign_customer in MATRIX.get(login, ("", {Y}, set()))[1] and line is None
    assert intake.upload_document(who, number, "id_document", pdf_bytes(), db,
                                  NOW).message == "Pratica non trovata."
    downloaded = intake.download_document(who, number, "police_report", db)
    assert downloaded == ((f"{number}_police_report.pdf", "application/pdf", pdf_bytes())
                          if sees else None)
    assert (data.claim_detail(who, number, NOW.date(), db) is not None) == sees
    assert (number in set(data.list_claims(who, data.ClaimFilters(), NOW.date(), db)[
        "request_number"])) == sees
    for target in {FREE[X], FREE[Y], FREE[Z]}:
        result = intake.submit_request(
            who, request_type="Guasto/Malfunzionamento", imei=target,
            fault_causes=("Batteria",), delivery_mode="Punto assistenza",
            assistance_point_code="P001", warehouse=db, now=NOW)
        in_scope = (customer is not None and line is None
                    and intake.find_device(owner, target, NOW.date(), db) is None
                    and target == FREE.get(customer or ""))
        if in_scope:
            assert result.errors == [] and result.request_number is not None, (login, result)
            # the request shows at once in the claims list, marked, with its own SLA dates
            listed = data.list_claims(who, data.ClaimFilters(), NOW.date(), db)
            row = listed[listed["request_number"] == result.request_number].iloc[0]
            assert row["status"] == "Inviata, non ancora presa in carico"
            # five business days from Monday 7 December, the 8th (Immacolata) skipped
            assert pd.Timestamp(row["due_date"]).date() == date(2026, 12, 15)
            assert pd.Timestamp(result.expected_delivery).date() == date(2026, 12, 15)
        elif target != FREE.get(customer or "") or customer is None or line is not None:
            assert result.request_number is None and result.errors, (login, target)
            assert result.errors in ([intake.NOT_FOUND],
                                     [f"Per questo dispositivo è già aperta la pratica "
                                      f"{number}."]), (login, target, result.errors)
