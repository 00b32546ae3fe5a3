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
  and (date_to is null or period_date <= cast(date_to as date));

-- met / (met + breached); null when neither (docs/sla.md).
create or replace macro marts.sla_compliance(met, breached) as
    cast(met as double) / nullif(met + breached, 0);

-- What every SLA aggregate reports of a group of those claims, as an aggregate for a
-- grouped select: the count of each SLA state and the compliance, in the marts' column
-- order (a struct; `tally.*` spreads it).
create or replace macro marts.sla_tally(sla_state) as struct_pack(
    claims := count(*),
    met := count(*) filter (where sla_state = 'met'),
    breached := count(*) filter (where sla_state = 'breached'),
    compliance := marts.sla_compliance(
        count(*) filter (where sla_state = 'met'), count(*) filter (where sla_state = 'breached')
    ),
    at_risk := count(*) filter (where sla_state = 'at_risk'),
    on_track := count(*) filter (where sla_state = 'on_track'),
    pending_documentation := count(*) filter (where sla_state = 'pending_documentation'),
    excluded := count(*) filter (where sla_state = 'excluded')
);

-- The median business days taken (claims in the ratio: met and breached) and the median
-- documentation wait (claims whose clock started, excluded ones aside).
create or replace macro marts.sla_medians(sla_state, business_days_taken, documentation_wait_days)
as struct_pack(
    median_business_days_taken :=
        median(business_days_taken) filter (where sla_state in ('met', 'breached')),
    median_documentation_wait_days :=
        median(documentation_wait_days) filter (where sla_state <> 'excluded')
);
