-- One row per enablement change of customer $customer_code's lines, newest first: the
-- dashboard's (app_changes, a relation the caller registers from the app database) and the
-- exports' (core.enablements_versions; before = the line's previous exported version).
with
exported as (
    select
        changed_at,
        changed_by,
        customer_code,
        nmu,
        lag(enabled) over (
            partition by customer_code, nmu
            order by coalesce(changed_at, timestamp '0001-01-01'), file_date, load_id, line
        ) as enabled_before,
        enabled as enabled_after,
        'export' as source,
        cast(null as bigint) as change_id
    from core.enablements_versions
    where customer_code = $customer_code
),

dashboard as (
    select
        changed_at,
        changed_by,
        customer_code,
        nmu,
        enabled_before,
        enabled_after,
        source,
        change_id
    from app_changes
    where customer_code = $customer_code
),

changes as (
    select * from exported
    union all by name
    select * from dashboard
)

select
    changed_at,
    changed_by,
    customer_code,
    nmu,
    enabled_before,
    enabled_after,
    source
from changes
order by changed_at desc nulls last, source = 'dashboard' desc, change_id desc nulls last, nmu
