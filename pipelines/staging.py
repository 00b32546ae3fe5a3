"""Staging SQL generated from the data contract: rename, cast, normalise, give reasons.

For every export kind the contract lists the columns; this module turns that list into
one set-based SELECT over the raw text table: a typed value per column and, per row,
the list of every reason it cannot be interpreted. There is no second list of columns.
"""

from __future__ import annotations

from pipelines.contract import Column, ColumnKind, SourceKind, columns


def quote_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# Cross-column rules that make a row uninterpretable, by kind: (SQL predicate, reason).
ROW_RULES: dict[str, tuple[tuple[str, str], ...]] = {
    "claims": (
        (
            "replacement_available_at < opened_at",
            "available_before_opened: Data disponibilità sostitutivo precedes Data apertura",
        ),
    ),
}

SQL_TYPES = {
    ColumnKind.DATE: "date",
    ColumnKind.DATETIME: "timestamp",
    ColumnKind.BOOLEAN: "boolean",
}


def sql_type(column: Column) -> str:
    return SQL_TYPES.get(column.kind, "varchar")


def _typed(column: Column, raw: str) -> str:
    """The SQL expression that interprets the raw text of one cell (null when it cannot)."""
    match column.kind:
        case ColumnKind.TEXT:
            return raw
        case ColumnKind.ENUM:
            cases = " ".join(
                f"when {quote_literal(value.casefold())} then {quote_literal(value)}"
                for value in column.values
            )
            return f"case lower({raw}) {cases} end"
        case ColumnKind.IMEI:
            return f"imei_normalise({raw})"
        case ColumnKind.NMU:
            return f"nmu_normalise({raw})"
        case ColumnKind.PARTITA_IVA:
            return f"case when partita_iva_valid({raw}) then {raw} end"
        case ColumnKind.PROVINCE:
            return f"case when regexp_full_match({raw}, '[A-Za-z]{{2}}') then upper({raw}) end"
        case ColumnKind.DATE:
            return f"parse_date({raw})"
        case ColumnKind.DATETIME:
            return f"parse_timestamp({raw})"
        case ColumnKind.BOOLEAN:
            return f"parse_boolean({raw})"
    raise AssertionError(column.kind)


REASON_CODES = {
    ColumnKind.ENUM: "unknown_value",
    ColumnKind.IMEI: "invalid_imei",
    ColumnKind.NMU: "invalid_nmu",
    ColumnKind.PARTITA_IVA: "invalid_partita_iva",
    ColumnKind.PROVINCE: "invalid_province",
    ColumnKind.DATE: "invalid_date",
    ColumnKind.DATETIME: "invalid_datetime",
    ColumnKind.BOOLEAN: "invalid_boolean",
}


def staging_select(kind: SourceKind, positions: dict[str, int], raw_table: str) -> str:
    """SELECT line, <typed columns>, reasons, raw_values FROM the raw text table.

    `positions` maps each contract column name to its cell index in the raw table; the
    raw values are kept under the export headers for quarantine.
    """
    typed_columns, reasons = [], []
    for column in columns(kind.model):
        raw = f"nullif(trim(c{positions[column.name]}), '')"
        typed = _typed(column, raw)
        typed_columns.append(f"{typed} as {column.name}")
        header = column.header
        if column.required:
            reasons.append(
                f"case when {raw} is null then {quote_literal('missing: ' + header)} end"
            )
        if column.kind in REASON_CODES:
            label = f"{REASON_CODES[column.kind]}: {header} = "
            reasons.append(
                f"case when {raw} is not null and {typed} is null "
                f"then {quote_literal(label)} || {raw} end"
            )
    return f"""
        with
        typed as (
            select
                line,
                {(','+chr(10)+'                ').join(typed_columns)},
                [{', '.join(reasons)}] as cell_reasons
            from {raw_table}
        )
        select
            * exclude (cell_reasons),
            list_filter(
                cell_reasons || [{', '.join(_row_rule_reasons(kind))}],
                lambda reason: reason is not null
            ) as reasons
        from typed
    """


def _row_rule_reasons(kind: SourceKind) -> list[str]:
    return [
        f"case when {predicate} then {quote_literal(reason)} end"
        for predicate, reason in ROW_RULES.get(kind.name, ())
    ] or ["null"]


def raw_values_json(headers: list[str]) -> str:
    """json_object of the row as read, keyed by the file's own headers."""
    pairs = ", ".join(
        f"{quote_literal(header or f'colonna {i + 1}')}, c{i}" for i, header in enumerate(headers)
    )
    return f"json_object({pairs})"
