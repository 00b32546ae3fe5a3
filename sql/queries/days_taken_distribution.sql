-- Met and breached claims per business days taken, for the customers in scope, over the
-- claims whose due date is in [$date_from, $date_to] (either bound may be null).
select
    business_days_taken,
    sla_state,
    count(*) as claims
from marts.ticket_sla_figures($as_of, customers := $customers)
where sla_state in ('met', 'breached')
  and ($date_from is null or due_date >= $date_from)
  and ($date_to is null or due_date <= $date_to)
group by all
order by business_days_taken, sla_state
