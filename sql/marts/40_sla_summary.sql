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
        count(*) as claims,
        count(*) filter (where sla_state = 'met') as met,
        count(*) filter (where sla_state = 'breached') as breached,
        count(*) filter (where sla_state = 'at_risk') as at_risk,
        count(*) filter (where sla_state = 'on_track') as on_track,
        count(*) filter (where sla_state = 'pending_documentation') as pending_documentation,
        count(*) filter (where sla_state = 'excluded') as excluded,
        count(*) filter (where is_monitored) as monitored,
        median(business_days_taken) filter (where sla_state in ('met', 'breached'))
            as median_business_days_taken,
        median(documentation_wait_days) filter (where sla_state <> 'excluded')
            as median_documentation_wait_days
    from in_range
),

rated as (
    select
        cast(as_of as date) as as_of_date,
        cast(date_from as date) as date_from,
        cast(date_to as date) as date_to,
        coalesce((select max(sla_business_days) from core.calendar_settings), 5)
            as sla_business_days,
        claims,
        met,
        breached,
        cast(met as double) / nullif(met + breached, 0) as compliance,
        at_risk,
        on_track,
        pending_documentation,
        excluded,
        monitored,
        median_business_days_taken,
        median_documentation_wait_days
    from counted
)

select * from rated
