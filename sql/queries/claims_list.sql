-- One row per claim (current version) in scope that matches the filters, with its SLA
-- figures as of $as_of (those of marts.ticket_sla). Scope: $customers (null = every
-- customer) and, for a Dipendente, $line_nmu. Text filters are literal (contains /
-- equality, never LIKE): $imei_equal (a whole IMEI, matched exactly: the index serves it),
-- $imei_part (digits contained in the IMEI), $nmu, $request_number (lower-cased),
-- $customer_code. $due_from/$due_to bound the due date. List filters are empty for "any
-- value". $view: 'monitoring' or 'history'.
-- $sort: 'urgency' (the monitoring order of sla.md: breached, at risk, waiting for
-- documentation, on track, each by due date; a replacement waiting to be collected last),
-- 'newest' or 'oldest' (by opening).
-- $as_of_index and $as_of_next_index are T's indexes on core.calendar (as_of_day.sql).
--
-- The query is planned on every call, and planning grows with every column and every copy
-- of an expression: the inner level reads marts.tickets and states each claim's SLA state
-- once (marts.ticket_sla's macro); the outer level works out what follows from the state.
select
    ---------- ids
    request_number,
    customer_code,
    company_name,
    nmu,
    imei,
    device_brand,
    device_model,
    ---------- claim
    request_type,
    request_type_code,
    status,
    channel,
    delivery_mode,
    assistance_point_code,
    assistance_point_name,
    ---------- dates
    opened_at,
    updated_at,
    opened_date,
    clock_start_date,
    effective_start_date,
    due_date,
    available_date,
    ---------- SLA
    business_days_taken,
    marts.business_days_remaining(sla_state, due_index, $as_of_next_index)
        as business_days_remaining,
    marts.business_days_late(sla_state, due_index, available_next_index, $as_of_next_index)
        as business_days_late,
    documentation_wait_days,
    sla_state,
    is_monitored,
    case
        when sla_state = 'excluded' then 6
        when status = 'Disponibile al ritiro' then 5
        when sla_state = 'breached' then 0
        when sla_state = 'at_risk' then 1
        when sla_state = 'pending_documentation' then 2
        when sla_state = 'on_track' then 3
        else 4
    end as urgency_rank
from (
    select
        request_number, customer_code, company_name, nmu, imei, device_brand, device_model,
        request_type, request_type_code, status, channel, delivery_mode,
        assistance_point_code, assistance_point_name,
        opened_at, updated_at, opened_date, clock_start_date, effective_start_date, due_date,
        available_date, due_index, available_next_index,
        business_days_taken, documentation_wait_days, is_monitored,
        marts.sla_state_as_of(
            settled_state, available_date, due_date, clock_start_date, due_index,
            cast($as_of as date), $as_of_index
        ) as sla_state
    from marts.tickets
    where ($customers is null or list_contains($customers, customer_code))
      and ($line_nmu is null or nmu = $line_nmu)
      and ($view = 'history' or is_monitored)
      and ($imei_equal is null or imei = $imei_equal)
      and ($imei_part is null or contains(imei, $imei_part))
      and ($nmu is null or contains(nmu, $nmu))
      and ($request_number is null or contains(lower(request_number), $request_number))
      and ($customer_code is null or customer_code = $customer_code)
      and (len($request_types) = 0 or list_contains($request_types, request_type))
      and (len($statuses) = 0 or list_contains($statuses, status))
      and (len($channels) = 0 or list_contains($channels, channel))
      and (len($delivery_modes) = 0 or list_contains($delivery_modes, delivery_mode))
      and ($opened_from is null or opened_date >= $opened_from)
      and ($opened_to is null or opened_date <= $opened_to)
      and ($due_from is null or due_date >= $due_from)
      and ($due_to is null or due_date <= $due_to)
)
where len($sla_states) = 0 or list_contains($sla_states, sla_state)
order by
    case when $sort = 'urgency' then urgency_rank end nulls last,
    case when $sort = 'urgency' then due_date end nulls last,
    case when $sort = 'oldest' then opened_at end nulls last,
    opened_at desc,
    request_number
limit $limit
