-- The devices in scope ($customers, null = every customer; $line_nmu for a Dipendente) a
-- claim may be asked for: by a whole IMEI ($imei_equal) or digits of one ($imei_part); with
-- $eligible_only, only those whose protection is Attiva on $request_day. open_claim: a claim
-- of the back office still open for the device (docs/intake.md), the lowest number.
select
    ---------- ids
    devices.imei,
    devices.customer_code,
    customers.company_name,
    customers.segment,
    devices.nmu,
    ---------- device
    devices.brand,
    devices.model,
    devices.device_type,
    devices.assignee,
    ---------- protection
    devices.protection_state,
    devices.protection_start,
    devices.protection_end,
    (
        select min(tickets.request_number)
        from marts.tickets as tickets
        where tickets.imei = devices.imei and tickets.is_monitored
    ) as open_claim
from core.devices as devices
left join core.customers as customers on customers.customer_code = devices.customer_code
where ($customers is null or list_contains($customers, devices.customer_code))
  and ($line_nmu is null or devices.nmu = $line_nmu)
  and ($imei_equal is null or devices.imei = $imei_equal)
  and ($imei_part is null or contains(devices.imei, $imei_part))
  and (
      not $eligible_only
      or (
          devices.protection_state = 'Attiva'
          and cast($request_day as date)
              between devices.protection_start and devices.protection_end
      )
  )
order by devices.imei
limit $limit
