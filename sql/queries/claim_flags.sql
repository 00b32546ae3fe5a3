-- One row per flag of claim $request_number (current version, on IMEI $imei) in scope.
select
    flags.flag,
    flags.detail
from core.claim_flags_of(of_imei := $imei) as flags
join core.claims as claims using (request_number)
where flags.request_number = $request_number
  and ($customers is null or list_contains($customers, claims.customer_code))
  and ($line_nmu is null or claims.nmu = $line_nmu)
order by flags.flag
