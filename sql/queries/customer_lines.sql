-- One row per line and device of customer $customer_code: the device on the line, its
-- assignee and the line's effective enablement (line_states, a relation the caller registers
-- from line_enablement.sql). A line named only in the enablement export has no device.
-- $search (lower-cased, or null) keeps lines whose NMU, IMEI, assignee, e-mail, brand or
-- model (or "brand model", as the table shows the device) contains it. $enabled (or null)
-- keeps the lines enabled (true) or not (false).
with
devices as (
    select
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
    where customer_code = $customer_code and nmu is not null
),

line_state as (
    select * from line_states where customer_code = $customer_code
),

lines as (
    select
        ---------- line
        $customer_code as customer_code,
        coalesce(devices.nmu, line_state.nmu) as nmu,
        ---------- device
        devices.imei,
        devices.brand,
        devices.model,
        devices.device_type,
        devices.protection_state,
        devices.protection_start,
        devices.protection_end,
        devices.assignee,
        devices.assignee_email,
        ---------- enablement
        coalesce(line_state.enabled, false) as enabled,
        line_state.changed_at as enabled_changed_at,
        line_state.changed_by as enabled_changed_by,
        line_state.source as enabled_source
    from devices
    full join line_state on line_state.nmu = devices.nmu
)

select * from lines
where ($enabled is null or enabled = $enabled)
  and (
      $search is null
      or contains(nmu, $search)
      or contains(imei, $search)
      or contains(lower(assignee), $search)
      or contains(lower(assignee_email), $search)
      or contains(lower(brand || ' ' || model), $search)
      or contains(lower(model), $search)
  )
order by nmu, imei
