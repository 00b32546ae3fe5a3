-- One row: the KPI tiles for the claims in scope and period, as of `as_of`.
--
-- Parameters:
--   as_of, customers                  as marts.ticket_sla
--   date_from, date_to                keep claims whose due date D (else, without D,
--                                     the opened date) is within [date_from, date_to];
--                                     null = unbounded
--
-- median_business_days_taken is over the claims in the ratio (met and breached);
-- median_documentation_wait_days over the claims whose clock started, excluded ones aside.
-- monitored counts the claims the portal's monitoring view shows (open, not rejected).
create or replace macro marts.sla_summary(
    as_of, customers := null, date_from := null, date_to := null
) as table
with
in_range as (
    select * from marts.sla_claims_in_period(
        as_of, customers := customers, date_from := date_from, date_to := date_to
    )
),

counted as (
    select
        marts.sla_tally(sla_state) as tally,
        count(*) filter (where is_monitored) as monitored,
        marts.sla_medians(sla_state, business_days_taken, documentation_wait_days) as medians
    from in_range
),

rated as (
    select
        cast(as_of as date) as as_of_date,
        cast(date_from as date) as date_from,
        cast(date_to as date) as date_to,
        coalesce((select max(sla_business_days) from core.calendar_settings), 5)
            as sla_business_days,
        tally.*,
        monitored,
        medians.*
    from counted
)

select * from rated
