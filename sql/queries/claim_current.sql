-- One row, or none: claim $request_number's current version with its SLA figures as of
-- $as_of, when it is in scope ($customers, null = every customer; $line_nmu for a Dipendente).
select * from marts.ticket_sla($as_of, customers := $customers)
where request_number = $request_number
  and ($line_nmu is null or nmu = $line_nmu)
