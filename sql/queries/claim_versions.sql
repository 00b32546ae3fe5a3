-- One row per version of claim $request_number in scope, oldest first: its history.
select * exclude (row_hash)
from core.claims_versions
where request_number = $request_number
  and ($customers is null or list_contains($customers, customer_code))
  and ($line_nmu is null or nmu = $line_nmu)
order by coalesce(updated_at, timestamp '0001-01-01'), file_date, load_id, line
