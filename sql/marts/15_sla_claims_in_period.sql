-- One row per claim (marts.ticket_sla) whose period date is within [date_from, date_to]:
-- the claims every SLA aggregate counts. The period date is the due date D; claims that
-- have none (documentation pending, or excluded before it arrived) use their opened date.
--   as_of, customers                  as marts.ticket_sla
--   date_from, date_to                null = unbounded
create or replace macro marts.sla_claims_in_period(
    as_of, customers := null, date_from := null, date_to := null
) as table
with
tickets as (
    select
        *,
        coalesce(due_date, opened_date) as period_date
    from marts.ticket_sla(as_of, customers := customers)
)

select * from tickets
where (date_from is null or period_date >= cast(date_from as date))
  and (date_to is null or period_date <= cast(date_to as date))
