-- Generated from pipelines/contract.py by `kasko sql compile`; do not edit.
-- Staging of `punti_assistenza*` exports: one row per line of raw_assistance_points, the
-- file's cells c0, c1, ... in the contract's column order; renamed, cast,
-- normalised, with every reason the row is quarantined for. $file_date is the
-- export's date, which bounds the plausible dates.
with
cells as (
    select
    line,
    nullif(case when c0 like ' %' or c0 like '% ' then trim(c0) else c0 end, '') as cell_point_code,
    nullif(case when c1 like ' %' or c1 like '% ' then trim(c1) else c1 end, '') as cell_name,
    nullif(case when c2 like ' %' or c2 like '% ' then trim(c2) else c2 end, '') as cell_address,
    nullif(case when c3 like ' %' or c3 like '% ' then trim(c3) else c3 end, '') as cell_municipality,
    nullif(case when c4 like ' %' or c4 like '% ' then trim(c4) else c4 end, '') as cell_province,
    nullif(case when c5 like ' %' or c5 like '% ' then trim(c5) else c5 end, '') as cell_region,
    c0,
    c1,
    c2,
    c3,
    c4,
    c5
    from raw_assistance_points
),
prepared as (select * from cells),
checked as (select * from prepared),
typed as (
    select
    *,
    cell_point_code as point_code,
    cell_name as name,
    cell_address as address,
    cell_municipality as municipality,
    case when regexp_full_match(cell_province, '[A-Za-z]{2}') then upper(cell_province) end as province,
    cell_region as region
    from checked
)
select
    line, point_code, name, address, municipality, province, region,
    case
        when not (cell_point_code is null) and not (coalesce(contains(cell_point_code, chr(10)) or contains(cell_point_code, chr(13)), false)) and not (cell_province is not null and province is null) then []::varchar[]
        else list_filter([case when cell_point_code is null then 'missing: Codice punto' end, case when coalesce(contains(cell_point_code, chr(10)) or contains(cell_point_code, chr(13)), false) then 'line_break: Codice punto = ' || replace(replace(cell_point_code, chr(13), '\r'), chr(10), '\n') end, case when cell_province is not null and province is null then 'invalid_province: Provincia = ' || cell_province end], lambda reason: reason is not null)
    end as reasons,
    case when not (not (cell_point_code is null) and not (coalesce(contains(cell_point_code, chr(10)) or contains(cell_point_code, chr(13)), false)) and not (cell_province is not null and province is null)) then json_object('Codice punto', c0, 'Denominazione', c1, 'Indirizzo', c2, 'Comune', c3, 'Provincia', c4, 'Regione', c5) end as raw_values,
    case when not (not (cell_point_code is null) and not (coalesce(contains(cell_point_code, chr(10)) or contains(cell_point_code, chr(13)), false)) and not (cell_province is not null and province is null)) then nullif(trim(c0, ' ' || chr(9)), '') is null and nullif(trim(c1, ' ' || chr(9)), '') is null and nullif(trim(c2, ' ' || chr(9)), '') is null and nullif(trim(c3, ' ' || chr(9)), '') is null and nullif(trim(c4, ' ' || chr(9)), '') is null and nullif(trim(c5, ' ' || chr(9)), '') is null else false end as no_value
from typed
    
