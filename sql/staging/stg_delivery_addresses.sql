-- Generated from pipelines/contract.py by `kasko sql compile`; do not edit.
-- Staging of `sedi*` exports: one row per line of raw_delivery_addresses, the
-- file's cells c0, c1, ... in the contract's column order; renamed, cast,
-- normalised, with every reason the row is quarantined for. $file_date is the
-- export's date, which bounds the plausible dates.
with
cells as (
    select
    line,
    nullif(case when c0 like ' %' or c0 like '% ' then trim(c0) else c0 end, '') as cell_customer_code,
    nullif(case when c1 like ' %' or c1 like '% ' then trim(c1) else c1 end, '') as cell_site_code,
    nullif(case when c2 like ' %' or c2 like '% ' then trim(c2) else c2 end, '') as cell_address,
    nullif(case when c3 like ' %' or c3 like '% ' then trim(c3) else c3 end, '') as cell_postcode,
    nullif(case when c4 like ' %' or c4 like '% ' then trim(c4) else c4 end, '') as cell_municipality,
    nullif(case when c5 like ' %' or c5 like '% ' then trim(c5) else c5 end, '') as cell_province,
    nullif(case when c6 like ' %' or c6 like '% ' then trim(c6) else c6 end, '') as cell_active,
    c0,
    c1,
    c2,
    c3,
    c4,
    c5,
    c6
    from raw_delivery_addresses
),
prepared as (select * from cells),
checked as (select * from prepared),
typed as (
    select
    *,
    cell_customer_code as customer_code,
    cell_site_code as site_code,
    cell_address as address,
    case when regexp_full_match(cell_postcode, '[0-9]{5}') then cell_postcode end as postcode,
    cell_municipality as municipality,
    case when regexp_full_match(cell_province, '[A-Za-z]{2}') then upper(cell_province) end as province,
    parse_boolean(cell_active) as active
    from checked
)
select
    line, customer_code, site_code, address, postcode, municipality, province, active,
    case
        when not (cell_customer_code is null) and not (coalesce(contains(cell_customer_code, chr(10)) or contains(cell_customer_code, chr(13)), false)) and not (cell_site_code is null) and not (coalesce(contains(cell_site_code, chr(10)) or contains(cell_site_code, chr(13)), false)) and not (cell_address is null) and not (cell_postcode is not null and postcode is null) and not (cell_municipality is null) and not (cell_province is not null and province is null) and not (cell_active is not null and active is null) then []::varchar[]
        else list_filter([case when cell_customer_code is null then 'missing: Codice cliente' end, case when coalesce(contains(cell_customer_code, chr(10)) or contains(cell_customer_code, chr(13)), false) then 'line_break: Codice cliente = ' || replace(replace(cell_customer_code, chr(13), '\r'), chr(10), '\n') end, case when cell_site_code is null then 'missing: Codice sede' end, case when coalesce(contains(cell_site_code, chr(10)) or contains(cell_site_code, chr(13)), false) then 'line_break: Codice sede = ' || replace(replace(cell_site_code, chr(13), '\r'), chr(10), '\n') end, case when cell_address is null then 'missing: Indirizzo' end, case when cell_postcode is not null and postcode is null then 'invalid_postcode: CAP = ' || cell_postcode end, case when cell_municipality is null then 'missing: Comune' end, case when cell_province is not null and province is null then 'invalid_province: Provincia = ' || cell_province end, case when cell_active is not null and active is null then 'invalid_boolean: Attiva = ' || cell_active end], lambda reason: reason is not null)
    end as reasons,
    case when not (not (cell_customer_code is null) and not (coalesce(contains(cell_customer_code, chr(10)) or contains(cell_customer_code, chr(13)), false)) and not (cell_site_code is null) and not (coalesce(contains(cell_site_code, chr(10)) or contains(cell_site_code, chr(13)), false)) and not (cell_address is null) and not (cell_postcode is not null and postcode is null) and not (cell_municipality is null) and not (cell_province is not null and province is null) and not (cell_active is not null and active is null)) then json_object('Codice cliente', c0, 'Codice sede', c1, 'Indirizzo', c2, 'CAP', c3, 'Comune', c4, 'Provincia', c5, 'Attiva', c6) end as raw_values,
    case when not (not (cell_customer_code is null) and not (coalesce(contains(cell_customer_code, chr(10)) or contains(cell_customer_code, chr(13)), false)) and not (cell_site_code is null) and not (coalesce(contains(cell_site_code, chr(10)) or contains(cell_site_code, chr(13)), false)) and not (cell_address is null) and not (cell_postcode is not null and postcode is null) and not (cell_municipality is null) and not (cell_province is not null and province is null) and not (cell_active is not null and active is null)) then nullif(trim(c0, ' ' || chr(9)), '') is null and nullif(trim(c1, ' ' || chr(9)), '') is null and nullif(trim(c2, ' ' || chr(9)), '') is null and nullif(trim(c3, ' ' || chr(9)), '') is null and nullif(trim(c4, ' ' || chr(9)), '') is null and nullif(trim(c5, ' ' || chr(9)), '') is null and nullif(trim(c6, ' ' || chr(9)), '') is null else false end as no_value
from typed
    
