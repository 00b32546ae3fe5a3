-- One row per claim (current version) as of $as_of: the `kasko export tickets` columns,
-- rendered as text (dates yyyy-mm-dd, counts without decimals, missing = empty).
select
    request_number,
    customer_code,
    imei,
    nmu,
    request_type_code as request_type,
    status,
    strftime(opened_date, '%Y-%m-%d') as opened_date,
    strftime(clock_start_date, '%Y-%m-%d') as clock_start_date,
    strftime(due_date, '%Y-%m-%d') as due_date,
    strftime(available_date, '%Y-%m-%d') as available_date,
    cast(business_days_taken as varchar) as business_days_taken,
    cast(business_days_remaining as varchar) as business_days_remaining,
    sla_state
from marts.ticket_sla($as_of)
order by request_number
