"""The optional `sedi` export: customers' delivery addresses, loaded like the other kinds."""

from __future__ import annotations

import json

from tests.pipelines.exports import ExportFolder, RowBuilders, Warehouse


def test_addresses_load_and_bad_rows_are_quarantined_with_reasons(
    exports: ExportFolder, warehouse: Warehouse, rows: RowBuilders
) -> None:
    path = exports.csv("sedi_2026-12-01.csv", [
        rows.delivery_address(),
        rows.delivery_address(**{"Codice sede": "S002", "CAP": "0156", "Attiva": "No"}),
        rows.delivery_address(**{"Codice sede": "S003", "Indirizzo": ""}),
        rows.delivery_address(**{"Codice sede": "S004", "Provincia": "Roma"}),
        rows.delivery_address(**{"Codice sede": "S005", "CAP": "2O121", "Provincia": "mi",
                                 "Comune": "Milano"}),
        rows.delivery_address(**{"Codice sede": "S006", "CAP": "20121", "Provincia": "mi",
                                 "Comune": "Milano", "Attiva": "No"}),
        # a later row of the same key supersedes the first
        rows.delivery_address(**{"Indirizzo": "Via Tiburtina 1240"}),
    ], encoding="cp1252")
    [result] = warehouse.load(path)
    assert (result.error, result.kind) == (None, "delivery_addresses")
    assert (result.read, result.loaded, result.superseded, result.quarantined) == (7, 2, 1, 4)
    assert warehouse.rows(
        """select customer_code, site_code, address, postcode, municipality, province, active
           from core.delivery_addresses order by site_code"""
    ) == [
        ("C001", "S001", "Via Tiburtina 1240", "00156", "Roma", "RM", True),
        ("C001", "S006", "Via Tiburtina 1234", "20121", "Milano", "MI", False),
    ]
    reasons = {
        json.loads(raw)["Codice sede"]: list(found) for raw, found in warehouse.rows(
            "select raw_values, reasons from raw.quarantine order by line"
        )
    }
    assert reasons == {
        "S002": ["invalid_postcode: CAP = 0156"],
        "S003": ["missing: Indirizzo"],
        "S004": ["invalid_province: Provincia = Roma"],
        "S005": ["invalid_postcode: CAP = 2O121"],
    }


def test_a_richieste_file_is_no_export_kind(exports: ExportFolder, warehouse: Warehouse,
                                             rows: RowBuilders) -> None:
    """The intake's outbound file, dropped among the exports, cannot acknowledge itself."""
    path = exports.csv("richieste_20261207-101500.csv", [rows.claim(number="KP-2026-0000001")])
    [result] = warehouse.load(path)
    assert result.error is not None and "richieste_20261207-101500.csv" in result.error
    assert "matches no export kind" in result.error
    assert result.loaded == 0
