-- One row: the KPI tiles (marts.sla_summary) for the customers in scope, as of $as_of.
select *
from marts.sla_summary($as_of, customers := $customers, date_from := $date_from, date_to := $date_to)
