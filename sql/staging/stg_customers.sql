-- Generated from pipelines/contract.py by `kasko sql compile`; do not edit.
-- Staging of `clienti*` exports: one row per line of raw_customers, the
-- file's cells c0, c1, ... in the contract's column order; renamed, cast,
-- normalised, with every reason the row is quarantined for. $file_date is the
-- export's date, which bounds the plausible dates.
with
cells as (
    select
    line,
    nullif(case when c0 like ' %' or c0 like '% ' then trim(c0) else c0 end, '') as cell_customer_code,
    nullif(case when c1 like ' %' or c1 like '% ' then trim(c1) else c1 end, '') as cell_company_name,
    nullif(case when c2 like ' %' or c2 like '% ' then trim(c2) else c2 end, '') as cell_vat_number,
    nullif(case when c3 like ' %' or c3 like '% ' then trim(c3) else c3 end, '') as cell_segment,
    nullif(case when c4 like ' %' or c4 like '% ' then trim(c4) else c4 end, '') as cell_contract,
    nullif(case when c5 like ' %' or c5 like '% ' then trim(c5) else c5 end, '') as cell_region,
    nullif(case when c6 like ' %' or c6 like '% ' then trim(c6) else c6 end, '') as cell_account_manager,
    c0,
    c1,
    c2,
    c3,
    c4,
    c5,
    c6
    from raw_customers
),
prepared as (select * from cells),
checked as (select * from prepared),
typed as (
    select
    *,
    cell_customer_code as customer_code,
    cell_company_name as company_name,
    case when partita_iva_valid(cell_vat_number) then cell_vat_number end as vat_number,
    case lower(cell_segment) when 'professionisti' then 'Professionisti' when 'aziende' then 'Aziende' end as segment,
    cell_contract as contract,
    cell_region as region,
    cell_account_manager as account_manager
    from checked
)
select
    line, customer_code, company_name, vat_number, segment, contract, region, account_manager,
    case
        when not (cell_customer_code is null) and not (coalesce(contains(cell_customer_code, chr(10)) or contains(cell_customer_code, chr(13)), false)) and not (cell_company_name is null) and not (cell_vat_number is null) and not (cell_vat_number is not null and vat_number is null) and not (cell_segment is not null and segment is null) then []::varchar[]
        else list_filter([case when cell_customer_code is null then 'missing: Codice cliente' end, case when coalesce(contains(cell_customer_code, chr(10)) or contains(cell_customer_code, chr(13)), false) then 'line_break: Codice cliente = ' || replace(replace(cell_customer_code, chr(13), '\r'), chr(10), '\n') end, case when cell_company_name is null then 'missing: Ragione sociale' end, case when cell_vat_number is null then 'missing: Partita IVA' end, case when cell_vat_number is not null and vat_number is null then 'invalid_partita_iva: Partita IVA = ' || cell_vat_number end, case when cell_segment is not null and segment is null then 'unknown_value: Segmento = ' || cell_segment end], lambda reason: reason is not null)
    end as reasons,
    case when not (not (cell_customer_code is null) and not (coalesce(contains(cell_customer_code, chr(10)) or contains(cell_customer_code, chr(13)), false)) and not (cell_company_name is null) and not (cell_vat_number is null) and not (cell_vat_number is not null and vat_number is null) and not (cell_segment is not null and segment is null)) then json_object('Codice cliente', c0, 'Ragione sociale', c1, 'Partita IVA', c2, 'Segmento', c3, 'Contratto', c4, 'Regione', c5, 'Account manager', c6) end as raw_values,
    case when not (not (cell_customer_code is null) and not (coalesce(contains(cell_customer_code, chr(10)) or contains(cell_customer_code, chr(13)), false)) and not (cell_company_name is null) and not (cell_vat_number is null) and not (cell_vat_number is not null and vat_number is null) and not (cell_segment is not null and segment is null)) then nullif(trim(c0, ' ' || chr(9)), '') is null and nullif(trim(c1, ' ' || chr(9)), '') is null and nullif(trim(c2, ' ' || chr(9)), '') is null and nullif(trim(c3, ' ' || chr(9)), '') is null and nullif(trim(c4, ' ' || chr(9)), '') is null and nullif(trim(c5, ' ' || chr(9)), '') is null and nullif(trim(c6, ' ' || chr(9)), '') is null else false end as no_value
from typed
    
