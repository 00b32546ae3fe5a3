-- Requests opened in the dashboard ($intake_claims) no claims export carries after
-- $business_days business days (counted from the day after the opening: opened on a
-- Monday, flagged from Thursday), as of $as_of.
select
    claims.request_number,
    claims.customer_code,
    claims.imei,
    claims.opened_at,
    claims.opened_by,
    as_of.business_day_index - opened.business_day_index as business_days_waited
from intake_claims as claims
join core.calendar as opened on opened.day = cast(claims.opened_at as date)
cross join (
    select business_day_index from core.calendar where day = cast($as_of as date)
) as as_of
where claims.request_number not in (
    select request_number from marts.tickets where starts_with(request_number, 'KP-')
)
  and as_of.business_day_index - opened.business_day_index > $business_days
order by claims.opened_at, claims.request_number
