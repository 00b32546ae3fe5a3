-- Generated from pipelines/contract.py by `kasko sql compile`; do not edit.
-- Staging of `dispositivi*` exports: one row per line of raw_devices, the
-- file's cells c0, c1, ... in the contract's column order; renamed, cast,
-- normalised, with every reason the row is quarantined for. $file_date is the
-- export's date, which bounds the plausible dates.
with
cells as (
    select
    line,
    nullif(case when c0 like ' %' or c0 like '% ' then trim(c0) else c0 end, '') as cell_customer_code,
    nullif(case when c1 like ' %' or c1 like '% ' then trim(c1) else c1 end, '') as cell_nmu,
    nullif(case when c2 like ' %' or c2 like '% ' then trim(c2) else c2 end, '') as cell_imei,
    nullif(case when c3 like ' %' or c3 like '% ' then trim(c3) else c3 end, '') as cell_brand,
    nullif(case when c4 like ' %' or c4 like '% ' then trim(c4) else c4 end, '') as cell_model,
    nullif(case when c5 like ' %' or c5 like '% ' then trim(c5) else c5 end, '') as cell_device_type,
    nullif(case when c6 like ' %' or c6 like '% ' then trim(c6) else c6 end, '') as cell_protection_state,
    nullif(case when c7 like ' %' or c7 like '% ' then trim(c7) else c7 end, '') as cell_protection_start,
    nullif(case when c8 like ' %' or c8 like '% ' then trim(c8) else c8 end, '') as cell_protection_end,
    nullif(case when c9 like ' %' or c9 like '% ' then trim(c9) else c9 end, '') as cell_assignee,
    nullif(case when c10 like ' %' or c10 like '% ' then trim(c10) else c10 end, '') as cell_assignee_email,
    c0,
    c1,
    c2,
    c3,
    c4,
    c5,
    c6,
    c7,
    c8,
    c9,
    c10
    from raw_devices
),
prepared as (select *, strip_separators(cell_nmu) as digits_nmu, strip_separators(cell_imei) as digits_imei from cells),
checked as (select *, imei_body_check_digit(digits_imei) as check_imei from prepared),
typed as (
    select
    *,
    cell_customer_code as customer_code,
    nmu_from_digits(digits_nmu) as nmu,
    imei_from_digits(digits_imei, check_imei) as imei,
    cell_brand as brand,
    cell_model as model,
    case lower(cell_device_type) when 'smartphone' then 'Smartphone' when 'tablet' then 'Tablet' end as device_type,
    case lower(cell_protection_state) when 'attiva' then 'Attiva' when 'non attiva' then 'Non attiva' when 'cessata' then 'Cessata' end as protection_state,
    parse_date(cell_protection_start) as protection_start,
    parse_date(cell_protection_end) as protection_end,
    cell_assignee as assignee,
    cell_assignee_email as assignee_email
    from checked
)
select
    line, customer_code, nmu, imei, brand, model, device_type, protection_state, protection_start, protection_end, assignee, assignee_email,
    case
        when not (cell_customer_code is null) and not (coalesce(contains(cell_customer_code, chr(10)) or contains(cell_customer_code, chr(13)), false)) and not (coalesce(contains(cell_nmu, chr(10)) or contains(cell_nmu, chr(13)), false)) and not (cell_nmu is not null and nmu is null) and not (cell_imei is null) and not (coalesce(contains(cell_imei, chr(10)) or contains(cell_imei, chr(13)), false)) and not (cell_imei is not null and imei is null) and not (cell_device_type is not null and device_type is null) and not (cell_protection_state is not null and protection_state is null) and not (cell_protection_start is not null and protection_start is null) and not (coalesce(cast(protection_start as date) < date '2000-01-01' or cast(protection_start as date) > (cast($file_date as date) + 1), false)) and not (cell_protection_end is not null and protection_end is null) and not (coalesce(cast(protection_end as date) < date '2000-01-01' or cast(protection_end as date) > (cast($file_date as date) + 3653), false)) then []::varchar[]
        else list_filter([case when cell_customer_code is null then 'missing: Codice cliente' end, case when coalesce(contains(cell_customer_code, chr(10)) or contains(cell_customer_code, chr(13)), false) then 'line_break: Codice cliente = ' || replace(replace(cell_customer_code, chr(13), '\r'), chr(10), '\n') end, case when coalesce(contains(cell_nmu, chr(10)) or contains(cell_nmu, chr(13)), false) then 'line_break: NMU = ' || replace(replace(cell_nmu, chr(13), '\r'), chr(10), '\n') end, case when cell_nmu is not null and nmu is null then 'invalid_nmu: NMU = ' || cell_nmu end, case when cell_imei is null then 'missing: IMEI' end, case when coalesce(contains(cell_imei, chr(10)) or contains(cell_imei, chr(13)), false) then 'line_break: IMEI = ' || replace(replace(cell_imei, chr(13), '\r'), chr(10), '\n') end, case when cell_imei is not null and imei is null then 'invalid_imei: IMEI = ' || cell_imei end, case when cell_device_type is not null and device_type is null then 'unknown_value: Tipo dispositivo = ' || cell_device_type end, case when cell_protection_state is not null and protection_state is null then 'unknown_value: Stato protezione = ' || cell_protection_state end, case when cell_protection_start is not null and protection_start is null then 'invalid_date: Data attivazione protezione = ' || cell_protection_start end, case when coalesce(cast(protection_start as date) < date '2000-01-01' or cast(protection_start as date) > (cast($file_date as date) + 1), false) then 'implausible_date: Data attivazione protezione = ' || cell_protection_start || ' (outside ' || strftime(date '2000-01-01', '%Y-%m-%d') || ' to ' || strftime((cast($file_date as date) + 1), '%Y-%m-%d') || ')' end, case when cell_protection_end is not null and protection_end is null then 'invalid_date: Data scadenza protezione = ' || cell_protection_end end, case when coalesce(cast(protection_end as date) < date '2000-01-01' or cast(protection_end as date) > (cast($file_date as date) + 3653), false) then 'implausible_date: Data scadenza protezione = ' || cell_protection_end || ' (outside ' || strftime(date '2000-01-01', '%Y-%m-%d') || ' to ' || strftime((cast($file_date as date) + 3653), '%Y-%m-%d') || ')' end], lambda reason: reason is not null)
    end as reasons,
    case when not (not (cell_customer_code is null) and not (coalesce(contains(cell_customer_code, chr(10)) or contains(cell_customer_code, chr(13)), false)) and not (coalesce(contains(cell_nmu, chr(10)) or contains(cell_nmu, chr(13)), false)) and not (cell_nmu is not null and nmu is null) and not (cell_imei is null) and not (coalesce(contains(cell_imei, chr(10)) or contains(cell_imei, chr(13)), false)) and not (cell_imei is not null and imei is null) and not (cell_device_type is not null and device_type is null) and not (cell_protection_state is not null and protection_state is null) and not (cell_protection_start is not null and protection_start is null) and not (coalesce(cast(protection_start as date) < date '2000-01-01' or cast(protection_start as date) > (cast($file_date as date) + 1), false)) and not (cell_protection_end is not null and protection_end is null) and not (coalesce(cast(protection_end as date) < date '2000-01-01' or cast(protection_end as date) > (cast($file_date as date) + 3653), false))) then json_object('Codice cliente', c0, 'NMU', c1, 'IMEI', c2, 'Marca', c3, 'Modello', c4, 'Tipo dispositivo', c5, 'Stato protezione', c6, 'Data attivazione protezione', c7, 'Data scadenza protezione', c8, 'Assegnatario', c9, 'Email assegnatario', c10) end as raw_values,
    case when not (not (cell_customer_code is null) and not (coalesce(contains(cell_customer_code, chr(10)) or contains(cell_customer_code, chr(13)), false)) and not (coalesce(contains(cell_nmu, chr(10)) or contains(cell_nmu, chr(13)), false)) and not (cell_nmu is not null and nmu is null) and not (cell_imei is null) and not (coalesce(contains(cell_imei, chr(10)) or contains(cell_imei, chr(13)), false)) and not (cell_imei is not null and imei is null) and not (cell_device_type is not null and device_type is null) and not (cell_protection_state is not null and protection_state is null) and not (cell_protection_start is not null and protection_start is null) and not (coalesce(cast(protection_start as date) < date '2000-01-01' or cast(protection_start as date) > (cast($file_date as date) + 1), false)) and not (cell_protection_end is not null and protection_end is null) and not (coalesce(cast(protection_end as date) < date '2000-01-01' or cast(protection_end as date) > (cast($file_date as date) + 3653), false))) then nullif(trim(c0, ' ' || chr(9)), '') is null and nullif(trim(c1, ' ' || chr(9)), '') is null and nullif(trim(c2, ' ' || chr(9)), '') is null and nullif(trim(c3, ' ' || chr(9)), '') is null and nullif(trim(c4, ' ' || chr(9)), '') is null and nullif(trim(c5, ' ' || chr(9)), '') is null and nullif(trim(c6, ' ' || chr(9)), '') is null and nullif(trim(c7, ' ' || chr(9)), '') is null and nullif(trim(c8, ' ' || chr(9)), '') is null and nullif(trim(c9, ' ' || chr(9)), '') is null and nullif(trim(c10, ' ' || chr(9)), '') is null else false end as no_value
from typed
    
