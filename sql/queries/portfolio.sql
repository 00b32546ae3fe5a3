-- One row per customer in scope ($customers, null = every customer), as of $as_of: covered
-- devices (protection Attiva), claims opened in the last 12 months and per 100 covered
-- devices, SLA compliance of the claims due in the last 12 months, open claims at risk or
-- breached, and covered devices whose protection ends within 90 days.
with
customers as (
    select * from core.customers
    where $customers is null or list_contains($customers, customer_code)
),

window_start as (
    select cast(cast($as_of as date) - interval 12 month as date) as since
),

devices as (
    select
        customer_code,
        count(*) filter (where protection_state = 'Attiva') as covered_devices,
        count(*) filter (
            where protection_state = 'Attiva'
              and protection_end between cast($as_of as date) and cast($as_of as date) + 90
        ) as coverage_expiring_90_days
    from core.devices
    where $customers is null or list_contains($customers, customer_code)
    group by customer_code
),

tickets as (
    select * from marts.ticket_sla_figures($as_of, customers := $customers)
),

claims as (
    select
        customer_code,
        count(*) filter (where opened_date > since and opened_date <= cast($as_of as date))
            as claims_12_months,
        count(*) filter (where sla_state = 'met' and due_date > since) as met_12_months,
        count(*) filter (where sla_state = 'breached' and due_date > since) as breached_12_months,
        count(*) filter (where sla_state = 'at_risk') as open_at_risk,
        count(*) filter (where sla_state = 'breached' and is_monitored) as open_breached
    from tickets
    cross join window_start
    group by customer_code
),

portfolio as (
    select
        ---------- customer
        customers.customer_code,
        customers.company_name,
        customers.segment,
        customers.region,
        customers.account_manager,
        ---------- devices
        coalesce(devices.covered_devices, 0) as covered_devices,
        coalesce(devices.coverage_expiring_90_days, 0) as coverage_expiring_90_days,
        ---------- claims
        coalesce(claims.claims_12_months, 0) as claims_12_months,
        round(100.0 * coalesce(claims.claims_12_months, 0) / nullif(devices.covered_devices, 0), 1)
            as claims_per_100_devices,
        ---------- SLA
        coalesce(claims.met_12_months, 0) as met_12_months,
        coalesce(claims.breached_12_months, 0) as breached_12_months,
        marts.sla_compliance(claims.met_12_months, claims.breached_12_months) as compliance,
        coalesce(claims.open_at_risk, 0) as open_at_risk,
        coalesce(claims.open_breached, 0) as open_breached
    from customers
    left join devices using (customer_code)
    left join claims using (customer_code)
)

select * from portfolio
order by open_breached desc, open_at_risk desc, company_name, customer_code
