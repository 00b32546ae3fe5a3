-- One row per claim of the customers in scope whose due date falls in [$date_from, $date_to]
-- and whose SLA state as of $as_of is $state: the monthly report's breach and at-risk lists.
select
    request_number,
    customer_code,
    company_name,
    request_type,
    channel,
    delivery_mode,
    coalesce(assistance_point_name, assistance_point_code) as assistance_point,
    customer_region,
    imei,
    concat_ws(' ', device_brand, device_model) as device,
    status,
    opened_date,
    clock_start_date,
    effective_start_date,
    due_date,
    available_date,
    business_days_taken,
    business_days_late,
    business_days_remaining
from marts.ticket_sla($as_of, customers := $customers)
where due_date between $date_from and $date_to
  and sla_state = $state
order by due_date, request_number
