-- Generated from pipelines/contract.py by `kasko sql compile`; do not edit.
-- Staging of `abilitazioni*` exports: one row per line of raw_enablements, the
-- file's cells c0, c1, ... in the contract's column order; renamed, cast,
-- normalised, with every reason the row is quarantined for. $file_date is the
-- export's date, which bounds the plausible dates.
with
cells as (
    select
    line,
    nullif(case when c0 like ' %' or c0 like '% ' then trim(c0) else c0 end, '') as cell_customer_code,
    nullif(case when c1 like ' %' or c1 like '% ' then trim(c1) else c1 end, '') as cell_nmu,
    nullif(case when c2 like ' %' or c2 like '% ' then trim(c2) else c2 end, '') as cell_enabled,
    nullif(case when c3 like ' %' or c3 like '% ' then trim(c3) else c3 end, '') as cell_changed_by,
    nullif(case when c4 like ' %' or c4 like '% ' then trim(c4) else c4 end, '') as cell_changed_at,
    c0,
    c1,
    c2,
    c3,
    c4
    from raw_enablements
),
prepared as (select *, strip_separators(cell_nmu) as digits_nmu from cells),
checked as (select * from prepared),
typed as (
    select
    *,
    cell_customer_code as customer_code,
    nmu_from_digits(digits_nmu) as nmu,
    parse_boolean(cell_enabled) as enabled,
    cell_changed_by as changed_by,
    parse_timestamp(cell_changed_at) as changed_at
    from checked
)
select
    line, customer_code, nmu, enabled, changed_by, changed_at,
    case
        when not (cell_customer_code is null) and not (coalesce(contains(cell_customer_code, chr(10)) or contains(cell_customer_code, chr(13)), false)) and not (cell_nmu is null) and not (coalesce(contains(cell_nmu, chr(10)) or contains(cell_nmu, chr(13)), false)) and not (cell_nmu is not null and nmu is null) and not (cell_enabled is not null and enabled is null) and not (cell_changed_at is not null and changed_at is null) and not (coalesce(cast(changed_at as date) < date '2000-01-01' or cast(changed_at as date) > (cast($file_date as date) + 1), false)) then []::varchar[]
        else list_filter([case when cell_customer_code is null then 'missing: Codice cliente' end, case when coalesce(contains(cell_customer_code, chr(10)) or contains(cell_customer_code, chr(13)), false) then 'line_break: Codice cliente = ' || replace(replace(cell_customer_code, chr(13), '\r'), chr(10), '\n') end, case when cell_nmu is null then 'missing: NMU' end, case when coalesce(contains(cell_nmu, chr(10)) or contains(cell_nmu, chr(13)), false) then 'line_break: NMU = ' || replace(replace(cell_nmu, chr(13), '\r'), chr(10), '\n') end, case when cell_nmu is not null and nmu is null then 'invalid_nmu: NMU = ' || cell_nmu end, case when cell_enabled is not null and enabled is null then 'invalid_boolean: Abilitata = ' || cell_enabled end, case when cell_changed_at is not null and changed_at is null then 'invalid_datetime: Data modifica = ' || cell_changed_at end, case when coalesce(cast(changed_at as date) < date '2000-01-01' or cast(changed_at as date) > (cast($file_date as date) + 1), false) then 'implausible_date: Data modifica = ' || cell_changed_at || ' (outside ' || strftime(date '2000-01-01', '%Y-%m-%d') || ' to ' || strftime((cast($file_date as date) + 1), '%Y-%m-%d') || ')' end], lambda reason: reason is not null)
    end as reasons,
    case when not (not (cell_customer_code is null) and not (coalesce(contains(cell_customer_code, chr(10)) or contains(cell_customer_code, chr(13)), false)) and not (cell_nmu is null) and not (coalesce(contains(cell_nmu, chr(10)) or contains(cell_nmu, chr(13)), false)) and not (cell_nmu is not null and nmu is null) and not (cell_enabled is not null and enabled is null) and not (cell_changed_at is not null and changed_at is null) and not (coalesce(cast(changed_at as date) < date '2000-01-01' or cast(changed_at as date) > (cast($file_date as date) + 1), false))) then json_object('Codice cliente', c0, 'NMU', c1, 'Abilitata', c2, 'Modificata da', c3, 'Data modifica', c4) end as raw_values,
    case when not (not (cell_customer_code is null) and not (coalesce(contains(cell_customer_code, chr(10)) or contains(cell_customer_code, chr(13)), false)) and not (cell_nmu is null) and not (coalesce(contains(cell_nmu, chr(10)) or contains(cell_nmu, chr(13)), false)) and not (cell_nmu is not null and nmu is null) and not (cell_enabled is not null and enabled is null) and not (cell_changed_at is not null and changed_at is null) and not (coalesce(cast(changed_at as date) < date '2000-01-01' or cast(changed_at as date) > (cast($file_date as date) + 1), false))) then nullif(trim(c0, ' ' || chr(9)), '') is null and nullif(trim(c1, ' ' || chr(9)), '') is null and nullif(trim(c2, ' ' || chr(9)), '') is null and nullif(trim(c3, ' ' || chr(9)), '') is null and nullif(trim(c4, ' ' || chr(9)), '') is null else false end as no_value
from typed
    
