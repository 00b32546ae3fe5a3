"""marts.tickets: the stored SLA dates follow every load, in full or claim by claim."""

from __future__ import annotations

from typing import TYPE_CHECKING

import duckdb
import pytest

import pipelines.warehouse.tickets
from pipelines.warehouse import schema_fingerprint

if TYPE_CHECKING:
    from tests.pipelines.exports import ExportFolder, RowBuilders, Warehouse

IMEI_A, IMEI_B = "490154203237518", "356938035643809"
# every stored column, in a stable order; the lineage tells which version each row is
STORED = "select * from marts.tickets order by request_number"
FRESH = "select * from marts.ticket_base() order by request_number"


def stored_and_fresh(warehouse: Warehouse) -> tuple[list[tuple], list[tuple]]:
    return warehouse.rows(STORED), warehouse.rows(FRESH)


@pytest.fixture
def refreshes(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """The `rebuild` argument of every refresh of marts.tickets, in order."""
    seen: list[bool] = []
    refresh = pipelines.warehouse.tickets.refresh_tickets

    def spy(con, rebuild: bool = True, claims_in_order: bool = False) -> None:
        seen.append(rebuild)
        refresh(con, rebuild=rebuild, claims_in_order=claims_in_order)

    monkeypatch.setattr(pipelines.warehouse.tickets, "refresh_tickets", spy)
    return seen


# the rows of a table in the order they are stored
STORED_ORDER = "select customer_code, request_number from {table} order by rowid"


def test_claims_and_tickets_are_stored_one_customer_after_another(
    exports: ExportFolder, warehouse: Warehouse, rows: RowBuilders
) -> None:
    """Pages read one customer's tickets at a time: a new warehouse writes its current claims
    in customer order and marts.tickets keeps that order unsorted; a later rebuild, when
    core.claims has had rows replaced and appended, sorts them again."""
    claims = [  # request numbers and customers in neither order
        ("R0004", "C001"), ("R0001", "C002"), ("R0003", "C002"), ("R0002", "C001"),
    ]
    warehouse.load(
        exports.csv("clienti_2024-03-01.csv", [
            rows.customer(), rows.customer(**{"Codice cliente": "C002"}),
        ]),
        exports.csv("dispositivi_2024-03-01.csv", [
            rows.device(), rows.device(**{"Codice cliente": "C002", "IMEI": IMEI_B}),
        ]),
        exports.csv("segnalazioni_2024-03-05.csv", [
            rows.claim(**{"Numero richiesta": number, "Codice cliente": customer,
                          "IMEI": IMEI_A if customer == "C001" else IMEI_B})
            for number, customer in claims
        ]),
    )
    in_order = sorted((customer, number) for number, customer in claims)
    assert warehouse.rows(STORED_ORDER.format(table="core.claims")) == in_order
    assert warehouse.rows(STORED_ORDER.format(table="marts.tickets")) == in_order
    stored, fresh = stored_and_fresh(warehouse)
    assert stored == fresh

    # a new version of R0001 (C002) and a new claim of C001: their current rows go last
    warehouse.load(exports.csv("segnalazioni_2024-03-06.csv", [
        rows.claim(**{"Numero richiesta": "R0001", "Codice cliente": "C002", "IMEI": IMEI_B,
                      "Stato": "Consegnata", "Data ultimo aggiornamento": "06/03/2024 10:00"}),
        rows.claim(**{"Numero richiesta": "R0005", "Codice cliente": "C001"}),
    ]))
    appended = warehouse.rows(STORED_ORDER.format(table="core.claims"))
    assert appended[-2:] == [("C001", "R0005"), ("C002", "R0001")]
    # a devices file rebuilds marts.tickets whole, from those claims: sorted again
    warehouse.load(exports.csv("dispositivi_2024-03-07.csv", [rows.device(Modello="iPhone 16")]))
    assert warehouse.rows(STORED_ORDER.format(table="marts.tickets")) == sorted(appended)
    stored, fresh = stored_and_fresh(warehouse)
    assert stored == fresh


def test_a_claims_only_load_recomputes_the_changed_claims(
    exports: ExportFolder, warehouse: Warehouse, rows: RowBuilders, refreshes: list[bool]
) -> None:
    warehouse.load(
        exports.csv("clienti_2024-03-01.csv", [rows.customer()]),
        exports.csv("dispositivi_2024-03-01.csv", [
            rows.device(), rows.device(IMEI=IMEI_B, Modello="Galaxy S24", Marca="Samsung"),
        ]),
        exports.csv("segnalazioni_2024-03-05.csv", [
            rows.claim(),
            rows.claim(**{"Numero richiesta": "R0002", "IMEI": IMEI_B}),
        ]),
    )
    stored, fresh = stored_and_fresh(warehouse)
    assert stored == fresh and len(stored) == 2
    # an earlier release's index, which a daily load of this one drops
    con = duckdb.connect(str(warehouse.db))
    con.execute("create index tickets_request_number on marts.tickets (request_number)")
    con.close()

    # two days' files in one load: R0001 is delivered, then R0003 is new; R0002 is left as
    # it was (the first file's claims are recomputed too, not only the last file's)
    warehouse.load(
        exports.csv("segnalazioni_2024-03-06.csv", [
            rows.claim(**{
                "Data ultimo aggiornamento": "06/03/2024 18:00",
                "Stato": "Disponibile al ritiro",
                "Data disponibilità sostitutivo": "06/03/2024 17:00",
            }),
        ]),
        exports.csv("segnalazioni_2024-03-07.csv", [
            rows.claim(**{"Numero richiesta": "R0003", "IMEI": IMEI_B,
                          "Data apertura": "06/03/2024 09:00",
                          "Data ricezione documentazione": "06/03/2024 09:00"}),
        ]),
    )
    assert refreshes == [True, False]  # the first load in full, the second claim by claim
    assert warehouse.rows("select index_name from duckdb_indexes() order by 1") == [
        ("devices_imei",), ("load_log_content_hash",), ("tickets_imei",),
    ]
    stored, fresh = stored_and_fresh(warehouse)
    assert stored == fresh
    by_number = {
        number: (available, state, model)
        for number, available, state, model in warehouse.rows(
            """select request_number, available_date, settled_state, device_model
               from marts.tickets order by request_number"""
        )
    }
    assert by_number["R0001"][1:] == ("met", "iPhone 15")
    assert str(by_number["R0001"][0]) == "2024-03-06"
    assert by_number["R0002"] == (None, None, "Galaxy S24")
    assert by_number["R0003"] == (None, None, "Galaxy S24")


def test_a_device_load_rebuilds_the_descriptions(
    exports: ExportFolder, warehouse: Warehouse, rows: RowBuilders, refreshes: list[bool]
) -> None:
    warehouse.load(
        exports.csv("dispositivi_2024-03-01.csv", [rows.device()]),
        exports.csv("segnalazioni_2024-03-05.csv", [rows.claim()]),
    )
    assert warehouse.rows("select device_model from marts.tickets") == [("iPhone 15",)]
    renamed = rows.device(Modello="iPhone 15 Pro")
    warehouse.load(exports.csv("dispositivi_2024-03-02.csv", [renamed]))
    assert warehouse.rows("select device_model from marts.tickets") == [("iPhone 15 Pro",)]
    assert refreshes == [True, True]
    stored, fresh = stored_and_fresh(warehouse)
    assert stored == fresh


def test_a_new_release_rewrites_the_schema_without_new_files(
    exports: ExportFolder, warehouse: Warehouse, rows: RowBuilders, refreshes: list[bool]
) -> None:
    files = [exports.csv("segnalazioni_2024-03-05.csv", [rows.claim()])]
    warehouse.load(*files)
    # the warehouse as an earlier release left it: other SQL, and no stored SLA dates
    con = duckdb.connect(str(warehouse.db))
    con.execute("update raw.schema_version set fingerprint = 'an earlier release'")
    con.execute("delete from marts.tickets")
    con.close()

    results = warehouse.load(*files)
    assert [r.already_loaded for r in results] == [True]
    assert warehouse.rows("select fingerprint from raw.schema_version") == [
        (schema_fingerprint(),)
    ]
    assert warehouse.rows("select request_number from marts.tickets") == [("R0001",)]
    assert refreshes == [True, True]
    before = warehouse.file_digest()
    warehouse.load(*files)  # same release, same files: the served file is left alone
    assert warehouse.file_digest() == before
    assert refreshes == [True, True]


def test_a_load_rebuilds_the_calendar_only_when_it_would_change(
    exports: ExportFolder, warehouse: Warehouse, rows: RowBuilders
) -> None:
    settings = "select first_day, built_at from core.calendar_settings"
    warehouse.load(exports.csv("segnalazioni_2024-03-05.csv", [rows.claim()]))
    [(first_day, built_at)] = warehouse.rows(settings)
    assert first_day.year == 2024

    # another claim of the same year: the same calendar, not built again
    warehouse.load(exports.csv("segnalazioni_2024-03-06.csv", [
        rows.claim(**{"Numero richiesta": "R0002"}),
    ]))
    assert warehouse.rows(settings) == [(first_day, built_at)]

    # a claim opened two years earlier: the calendar reaches back to it
    warehouse.load(exports.csv("segnalazioni_2024-03-07.csv", [
        rows.claim(**{"Numero richiesta": "R0003", "Data apertura": "04/03/2022 09:15",
                      "Data ultimo aggiornamento": "04/03/2022 10:30"}),
    ]))
    [(first_day_after, built_after)] = warehouse.rows(settings)
    assert (first_day_after.year, built_after > built_at) == (2022, True)
    stored, fresh = stored_and_fresh(warehouse)
    assert stored == fresh and len(stored) == 3


def test_serving_a_warehouse_of_an_earlier_release_upgrades_it_first(
    exports: ExportFolder, warehouse: Warehouse, rows: RowBuilders,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from streamlit.web import cli as streamlit_cli

    from pipelines.cli import main

    warehouse.load(exports.csv("segnalazioni_2024-03-05.csv", [rows.claim()]))
    # as an earlier release left it: other SQL, without the macros the claims list uses
    con = duckdb.connect(str(warehouse.db))
    con.execute("update raw.schema_version set fingerprint = 'an earlier release'")
    con.execute("drop macro marts.business_days_late")
    con.close()
    served = []
    monkeypatch.setattr(streamlit_cli, "main", lambda: served.append(warehouse.db) or 0)

    assert main(["serve", "--db", str(warehouse.db)]) == 0

    assert served == [warehouse.db]
    assert warehouse.rows("select fingerprint from raw.schema_version") == [
        (schema_fingerprint(),)
    ]
    assert warehouse.rows(
        """select count(*) from duckdb_functions()
           where schema_name = 'marts' and function_name = 'business_days_late'"""
    ) == [(1,)]
    # the pages' queries run again: the open claim, past its due date by 20/03
    assert warehouse.rows(
        "select request_number, sla_state from marts.ticket_sla(date '2024-03-20')"
    ) == [("R0001", "breached")]
    # a warehouse of this release is only read: serving it again leaves the file as it is
    before = warehouse.file_digest()
    assert main(["serve", "--db", str(warehouse.db)]) == 0
    assert warehouse.file_digest() == before


def test_a_claims_load_where_no_claim_wins_leaves_the_tickets_as_they_are(
    exports: ExportFolder, warehouse: Warehouse, rows: RowBuilders, refreshes: list[bool]
) -> None:
    """An older export come late: every version in it is older than the current one, so no
    claim changes, and no ticket is recomputed (nor stored twice)."""
    warehouse.load(exports.csv("segnalazioni_2024-03-06.csv", [
        rows.claim(updated="06/03/2024 18:00"),
        rows.claim(number="R0002", updated="06/03/2024 18:00"),
    ]))
    stored = warehouse.rows(STORED)
    assert len(stored) == 2

    [late] = warehouse.load(exports.csv("segnalazioni_2024-03-05.csv", [rows.claim()]))
    assert (late.read, late.loaded, late.superseded) == (1, 0, 1)
    assert refreshes == [True, False]
    assert warehouse.rows(STORED) == stored
    assert stored_and_fresh(warehouse)[1] == stored
