-- One row, or none: claim $request_number's current version with its SLA figures as of
-- $as_of, when it is in scope ($customers, null = every customer; $line_nmu for a Dipendente).
with
target as (
    select customer_code from core.claims where request_number = $request_number
),

tickets as (
    -- only the claim's customer is computed; the scope is checked below
    select * from marts.ticket_sla($as_of, customers := (select list(customer_code) from target))
)

select * from tickets
where request_number = $request_number
  and ($customers is null or list_contains($customers, customer_code))
  and ($line_nmu is null or nmu = $line_nmu)
