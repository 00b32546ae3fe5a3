-- One row per value of $dimension for the customers in scope (marts.sla_breakdown).
select *
from marts.sla_breakdown(
    $as_of, $dimension, customers := $customers, date_from := $date_from, date_to := $date_to
)
