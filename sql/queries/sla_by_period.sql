-- One row per period ($grain: day, week or month) of the customers in scope (marts.sla_by_period).
select *
from marts.sla_by_period(
    $as_of, grain := $grain, customers := $customers, date_from := $date_from, date_to := $date_to
)
