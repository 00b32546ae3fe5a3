-- One row per period (day, ISO week or month) that holds at least one claim, as of `as_of`.
--
-- A claim belongs to the period of its due date D (docs/sla.md). A claim without D (no
-- documentation yet: pending_documentation, or excluded before its clock started) is
-- placed in the period of its opened date instead, so every claim is counted exactly
-- once and the counts of a period add up to `claims`. Compliance is met / (met +
-- breached); the other states are reported beside it.
--
-- Parameters:
--   as_of, customers                  as marts.ticket_sla
--   grain                             'day', 'week' (ISO, starting Monday) or 'month'
--   date_from, date_to                keep claims whose period date (D, else opened date)
--                                     is within [date_from, date_to]; null = unbounded
create or replace macro marts.sla_by_period(
    as_of, grain := 'month', customers := null, date_from := null, date_to := null
) as table
with
in_range as (
    select * from marts.sla_claims_in_period(
        as_of, customers := customers, date_from := date_from, date_to := date_to
    )
),

periods as (
    select
        *,
        case
            when grain in ('day', 'week', 'month') then cast(date_trunc(grain, period_date) as date)
            else error('grain must be day, week or month, not ' || coalesce(cast(grain as varchar), 'null'))
        end as period_start
    from in_range
),

counted as (
    select
        period_start,
        marts.sla_tally(sla_state) as tally
    from periods
    group by period_start
),

labelled as (
    select
        ---------- period
        period_start,
        cast(
            case grain
                when 'day' then period_start
                when 'week' then period_start + interval 6 day
                else period_start + interval 1 month - interval 1 day
            end as date
        ) as period_end,
        case grain
            when 'day' then strftime(period_start, '%Y-%m-%d')
            when 'week' then strftime(period_start, '%G-W%V')
            else strftime(period_start, '%Y-%m')
        end as period_label,
        ---------- counts
        tally.*
    from counted
)

select * from labelled order by period_start
