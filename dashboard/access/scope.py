"""What a principal may read, as query parameters, and each line's effective enablement."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa

from dashboard.access.connections import frame, is_missing
from dashboard.access.principal import Principal
from pipelines.appstate import accounts


@dataclass(frozen=True)
class Scope:
    """The customers a principal may read (None: every customer) and, for a Dipendente, one line.

    Every scoped query takes `$customers` (VARCHAR[] or null) and `$line_nmu` (VARCHAR or
    null) and keeps a row only when `($customers is null or list_contains($customers,
    customer_code)) and ($line_nmu is null or nmu = $line_nmu)`.
    """

    customers: tuple[str, ...] | None
    line_nmu: str | None = None

    @property
    def is_empty(self) -> bool:
        return self.customers == ()

    def includes(self, customer_code: str | None, nmu: str | None = None) -> bool:
        """Whether a row of this customer (and, when a line is the scope, this line) is in it."""
        if customer_code is None:
            return False
        if self.line_nmu is not None and nmu != self.line_nmu:
            return False
        return self.customers is None or customer_code in self.customers

    def narrowed_to(self, customer_code: str | None) -> Scope:
        """The same scope, keeping only one customer when one is named."""
        if customer_code is None:
            return self
        if not self.includes(customer_code):
            return NOTHING
        return Scope((customer_code,), self.line_nmu)

    def params(self) -> dict[str, Any]:
        return {
            "customers": None if self.customers is None else list(self.customers),
            "line_nmu": self.line_nmu,
        }


NOTHING = Scope(customers=())


def resolve_scope(
    principal: Principal, cursor: duckdb.DuckDBPyConnection, warehouse: Path
) -> Scope:
    """The principal's scope, read from the warehouse (and, for a Dipendente, the app store).

    Management: every customer. Account Manager: the customers whose `Account manager` is
    their login. Customer-side profiles: their own customer. Dipendente: their own line,
    only while it is enabled (docs/access.md).
    """
    if principal.sees_all:
        return Scope(customers=None)
    if principal.is_account_manager:
        login = accounts.login_key(principal.login)
        codes = frame(cursor, "account_manager_customers", login=login)
        return Scope(tuple(codes["customer_code"]))
    if not principal.is_customer_side or not principal.customer_code:
        return NOTHING
    if not principal.is_employee:
        return Scope((principal.customer_code,))
    if not principal.nmu:
        return NOTHING
    changes = accounts.enablement_changes(warehouse, [principal.customer_code], principal.nmu)
    states = line_states(cursor, changes, [principal.customer_code], principal.nmu)
    if states.empty or not is_true(states["enabled"].iloc[0]):
        return NOTHING
    return Scope((principal.customer_code,), principal.nmu)


def is_true(value: Any) -> bool:
    """A boolean cell that holds True (not False, not missing)."""
    return not is_missing(value) and bool(value)


def line_states(
    cursor: duckdb.DuckDBPyConnection,
    app_changes: pa.Table,
    customers: Sequence[str],
    nmu: str | None = None,
) -> pd.DataFrame:
    """Effective enablement per line of some customers (line_enablement.sql).

    Columns: customer_code, nmu, enabled (bool or None), changed_by, changed_at, source
    ('export' or 'dashboard'). Lines that were never enabled or disabled are absent.
    """
    cursor.register("app_changes", app_changes)
    return frame(cursor, "line_enablement", customers=list(customers), nmu=nmu)
