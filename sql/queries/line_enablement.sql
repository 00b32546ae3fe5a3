-- One row per line of the customers in $customers (optionally only line $nmu) that has an
-- enablement in the export (core.enablements) or in the dashboard (app_changes, a relation
-- the caller registers): the line's effective state. The most recent change by changed_at
-- wins; on a tie, or when the export's Data modifica is missing, the dashboard's wins.
with
exported as (
    select
        customer_code,
        nmu,
        enabled,
        changed_by,
        changed_at,
        'export' as source,
        0 as precedence,
        cast(0 as bigint) as change_id
    from core.enablements
    where list_contains($customers, customer_code)
),

dashboard as (
    select
        customer_code,
        nmu,
        enabled_after as enabled,
        changed_by,
        changed_at,
        'dashboard' as source,
        1 as precedence,
        change_id
    from app_changes
    where list_contains($customers, customer_code)
),

candidates as (
    select * from exported
    union all by name
    select * from dashboard
),

effective as (
    select
        customer_code,
        nmu,
        enabled,
        changed_by,
        changed_at,
        source
    from candidates
    where $nmu is null or nmu = $nmu
    qualify row_number() over (
        partition by customer_code, nmu
        order by changed_at desc nulls last, precedence desc, change_id desc
    ) = 1
)

select * from effective order by customer_code, nmu
