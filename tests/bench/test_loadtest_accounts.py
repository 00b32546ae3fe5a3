"""`make loadtest --scopes distinct`: a Mandatario of another customer per session, the
busiest customers first, each with a password that signs in."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from bench.loadtest import SCOPE_PASSWORD, distinct_scope_accounts
from pipelines.appstate.accounts import passwords, sign_in_facts
from pipelines.ingest.load import load_paths
from tests.pipelines.exports import IMEI_A, ExportFolder, RowBuilders


@pytest.fixture
def served(tmp_path: Path) -> Path:
    """C002 has three claims, C001 two (and two mandatari), C003 one but no Mandatario,
    C004 a Mandatario but no claim."""
    exports, rows = ExportFolder(tmp_path / "exports"), RowBuilders()
    exports.path.mkdir()
    claims = {"C001": 2, "C002": 3, "C003": 1}
    number = iter(range(1, 100))
    db = tmp_path / "warehouse" / "kasko.duckdb"
    load_paths([
        exports.csv("clienti_2024-03-01.csv", [
            rows.customer(**{"Codice cliente": code}) for code in ("C001", "C002", "C003", "C004")
        ]),
        exports.csv("utenti_2024-03-01.csv", [
            rows.user(Utente="zeta@c1.it", **{"Codice cliente": "C001"}),
            rows.user(Utente="alfa@c1.it", **{"Codice cliente": "C001"}),
            rows.user(Utente="m@c2.it", **{"Codice cliente": "C002"}),
            rows.user(Utente="legale@c3.it", Profilo="Rappresentante Legale",
                      **{"Codice cliente": "C003"}),
            rows.user(Utente="m@c4.it", **{"Codice cliente": "C004"}),
        ]),
        exports.csv("segnalazioni_2024-03-05.csv", [
            rows.claim(**{"Numero richiesta": f"R{next(number):04d}", "Codice cliente": code,
                          "IMEI": IMEI_A})
            for code, count in claims.items() for _ in range(count)
        ]),
    ], db)
    return db


def test_each_session_gets_a_mandatario_of_another_customer_busiest_first(served) -> None:
    accounts = distinct_scope_accounts(served, 2, env=None)
    assert accounts == [("m@c2.it", SCOPE_PASSWORD), ("alfa@c1.it", SCOPE_PASSWORD)]
    for login, password in accounts:
        stored = sign_in_facts(served, login, datetime(2000, 1, 1)).password_hash
        assert passwords.verify(stored, password)
    # the others were given none
    assert sign_in_facts(served, "zeta@c1.it", datetime(2000, 1, 1)).password_hash is None


def test_more_sessions_than_customers_with_a_mandatario_and_claims_is_refused(served) -> None:
    with pytest.raises(SystemExit, match="has 2 customers with a Mandatario and claims, fewer"
                                         " than 3 sessions"):
        distinct_scope_accounts(served, 3, env=None)
