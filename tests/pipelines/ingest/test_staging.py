"""Dates the parser accepts but no export can hold: quarantined against the contract's range."""

from __future__ import annotations

from datetime import date

from pipelines.contract import EVENT, KIND_BY_NAME, PROTECTION_EXPIRY, columns


def test_the_contract_gives_every_date_column_a_range() -> None:
    for kind in KIND_BY_NAME.values():
        for column in columns(kind.model):
            if column.kind.value in ("date", "datetime"):
                assert column.plausible is not None, (kind.name, column.name)
    by_name = {c.name: c for c in columns(KIND_BY_NAME["devices"].model)}
    assert by_name["protection_end"].plausible == PROTECTION_EXPIRY
    assert by_name["protection_start"].plausible == EVENT
    assert (EVENT.earliest, EVENT.days_after_export) == (date(2000, 1, 1), 1)
    assert PROTECTION_EXPIRY.days_after_export == 3653  # ten years of up to three leap days


def test_claim_dates_outside_their_range_are_quarantined_naming_column_and_value(
    exports, warehouse, rows
) -> None:
    # the export of 10 March 2024: events up to the 11th are believed
    claims = [
        rows.claim(number="R0001", updated="11/03/2024 23:59"),  # the day after: believed
        rows.claim(number="R0002", opened="04/03/24 09:15"),  # dd/mm/yy: year 0024
        rows.claim(number="R0003", updated="01/01/1900 00:00"),
        rows.claim(number="R0004", **{"Data chiusura": "31/12/9999"}),
        rows.claim(number="R0005", updated="12/03/2024 00:00"),  # two days ahead
        rows.claim(number="R0006", **{"Data ricezione documentazione": "31/12/1999 23:59"}),
    ]
    path = exports.csv("segnalazioni_2024-03-10.csv", claims)

    [result] = warehouse.load(path)

    assert (result.read, result.loaded, result.quarantined) == (6, 1, 5)
    assert warehouse.rows("select line, reasons from raw.quarantine order by line") == [
        (3, ["implausible_date: Data apertura = 04/03/24 09:15 "
             "(outside 2000-01-01 to 2024-03-11)"]),
        (4, ["implausible_date: Data ultimo aggiornamento = 01/01/1900 00:00 "
             "(outside 2000-01-01 to 2024-03-11)"]),
        (5, ["implausible_date: Data chiusura = 31/12/9999 (outside 2000-01-01 to 2024-03-11)"]),
        (6, ["implausible_date: Data ultimo aggiornamento = 12/03/2024 00:00 "
             "(outside 2000-01-01 to 2024-03-11)"]),
        (7, ["implausible_date: Data ricezione documentazione = 31/12/1999 23:59 "
             "(outside 2000-01-01 to 2024-03-11)"]),
    ]
    assert warehouse.rows("select request_number from core.claims") == [("R0001",)]


def test_protection_expiry_may_lie_ten_years_ahead_and_no_further(exports, warehouse, rows) -> None:
    devices = [
        rows.device(**{"Data scadenza protezione": "09/03/2034"}),  # within ten years
        rows.device(imei=rows.imei_b, **{"Data scadenza protezione": "12/03/2034"}),
        rows.device(imei=rows.imei_c, **{"Data attivazione protezione": "01/01/26"}),
    ]
    path = exports.csv("dispositivi_2024-03-10.csv", devices)

    [result] = warehouse.load(path)

    assert (result.read, result.loaded, result.quarantined) == (3, 1, 2)
    assert warehouse.rows("select reasons from raw.quarantine order by line") == [
        (["implausible_date: Data scadenza protezione = 12/03/2034 "
          "(outside 2000-01-01 to 2034-03-11)"],),
        (["implausible_date: Data attivazione protezione = 01/01/26 "
          "(outside 2000-01-01 to 2024-03-11)"],),
    ]
    assert warehouse.rows("select imei, protection_end from core.devices") == [
        (rows.imei_a, date(2034, 3, 9))]


def test_an_enablement_change_from_the_future_is_quarantined(exports, warehouse, rows) -> None:
    path = exports.csv("abilitazioni_2024-03-10.csv", [
        rows.enablement(**{"Data modifica": "10/03/2024 18:00"}),
        rows.enablement(nmu=rows.nmu_b, **{"Data modifica": "10/03/2042 18:00"}),
    ])

    [result] = warehouse.load(path)

    assert (result.loaded, result.quarantined) == (1, 1)
    assert warehouse.rows("select reasons from raw.quarantine") == [
        (["implausible_date: Data modifica = 10/03/2042 18:00 (outside 2000-01-01 to 2024-03-11)"],)
    ]
