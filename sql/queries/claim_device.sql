-- One row, or none: the inventory's device with IMEI $imei, when it is in scope.
select
    customer_code,
    nmu,
    imei,
    brand,
    model,
    device_type,
    protection_state,
    protection_start,
    protection_end,
    assignee,
    assignee_email
from core.devices
where imei = $imei
  and ($customers is null or list_contains($customers, customer_code))
  and ($line_nmu is null or nmu = $line_nmu)
