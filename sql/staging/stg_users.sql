-- Generated from pipelines/contract.py by `kasko sql compile`; do not edit.
-- Staging of `utenti*` exports: one row per line of raw_users, the
-- file's cells c0, c1, ... in the contract's column order; renamed, cast,
-- normalised, with every reason the row is quarantined for. $file_date is the
-- export's date, which bounds the plausible dates.
with
cells as (
    select
    line,
    nullif(case when c0 like ' %' or c0 like '% ' then trim(c0) else c0 end, '') as cell_login,
    nullif(case when c1 like ' %' or c1 like '% ' then trim(c1) else c1 end, '') as cell_full_name,
    nullif(case when c2 like ' %' or c2 like '% ' then trim(c2) else c2 end, '') as cell_profile,
    nullif(case when c3 like ' %' or c3 like '% ' then trim(c3) else c3 end, '') as cell_customer_code,
    nullif(case when c4 like ' %' or c4 like '% ' then trim(c4) else c4 end, '') as cell_nmu,
    c0,
    c1,
    c2,
    c3,
    c4
    from raw_users
),
prepared as (select *, strip_separators(cell_nmu) as digits_nmu from cells),
checked as (select * from prepared),
typed as (
    select
    *,
    cell_login as login,
    cell_full_name as full_name,
    case lower(cell_profile) when 'management' then 'Management' when 'account manager' then 'Account Manager' when 'rappresentante legale' then 'Rappresentante Legale' when 'amministratore' then 'Amministratore' when 'mandatario' then 'Mandatario' when 'master' then 'Master' when 'dipendente' then 'Dipendente' end as profile,
    cell_customer_code as customer_code,
    nmu_from_digits(digits_nmu) as nmu
    from checked
)
select
    line, login, full_name, profile, customer_code, nmu,
    case
        when not (cell_login is null) and not (coalesce(contains(cell_login, chr(10)) or contains(cell_login, chr(13)), false)) and not (cell_profile is not null and profile is null) and not (coalesce(contains(cell_customer_code, chr(10)) or contains(cell_customer_code, chr(13)), false)) and not (coalesce(contains(cell_nmu, chr(10)) or contains(cell_nmu, chr(13)), false)) and not (cell_nmu is not null and nmu is null) then []::varchar[]
        else list_filter([case when cell_login is null then 'missing: Utente' end, case when coalesce(contains(cell_login, chr(10)) or contains(cell_login, chr(13)), false) then 'line_break: Utente = ' || replace(replace(cell_login, chr(13), '\r'), chr(10), '\n') end, case when cell_profile is not null and profile is null then 'unknown_value: Profilo = ' || cell_profile end, case when coalesce(contains(cell_customer_code, chr(10)) or contains(cell_customer_code, chr(13)), false) then 'line_break: Codice cliente = ' || replace(replace(cell_customer_code, chr(13), '\r'), chr(10), '\n') end, case when coalesce(contains(cell_nmu, chr(10)) or contains(cell_nmu, chr(13)), false) then 'line_break: NMU = ' || replace(replace(cell_nmu, chr(13), '\r'), chr(10), '\n') end, case when cell_nmu is not null and nmu is null then 'invalid_nmu: NMU = ' || cell_nmu end], lambda reason: reason is not null)
    end as reasons,
    case when not (not (cell_login is null) and not (coalesce(contains(cell_login, chr(10)) or contains(cell_login, chr(13)), false)) and not (cell_profile is not null and profile is null) and not (coalesce(contains(cell_customer_code, chr(10)) or contains(cell_customer_code, chr(13)), false)) and not (coalesce(contains(cell_nmu, chr(10)) or contains(cell_nmu, chr(13)), false)) and not (cell_nmu is not null and nmu is null)) then json_object('Utente', c0, 'Nome', c1, 'Profilo', c2, 'Codice cliente', c3, 'NMU', c4) end as raw_values,
    case when not (not (cell_login is null) and not (coalesce(contains(cell_login, chr(10)) or contains(cell_login, chr(13)), false)) and not (cell_profile is not null and profile is null) and not (coalesce(contains(cell_customer_code, chr(10)) or contains(cell_customer_code, chr(13)), false)) and not (coalesce(contains(cell_nmu, chr(10)) or contains(cell_nmu, chr(13)), false)) and not (cell_nmu is not null and nmu is null)) then nullif(trim(c0, ' ' || chr(9)), '') is null and nullif(trim(c1, ' ' || chr(9)), '') is null and nullif(trim(c2, ' ' || chr(9)), '') is null and nullif(trim(c3, ' ' || chr(9)), '') is null and nullif(trim(c4, ' ' || chr(9)), '') is null else false end as no_value
from typed
    
