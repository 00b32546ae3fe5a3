-- One row per value of one dimension (e.g. one channel), as of `as_of`: SLA counts,
-- compliance and medians of the claims with that value. A claim without the value
-- (e.g. no assistance point) falls in the row whose key is null.
--
-- Parameters:
--   as_of, customers                  as marts.ticket_sla
--   dimension   'request_type', 'channel', 'delivery_mode', 'region' (the customer's),
--               'assistance_point_region', 'assistance_point', 'customer', 'device_model',
--               'segment' or 'account_manager'
--   date_from, date_to                as marts.sla_by_period (on D, else the opened date)
--
-- key is the value's code, label its readable name (the company name of a customer,
-- the name of an assistance point, brand and model of a device model, the Italian
-- request type); for the other dimensions key and label are the same.
create or replace macro marts.sla_breakdown(
    as_of, dimension, customers := null, date_from := null, date_to := null
) as table
with
in_range as (
    select * from marts.sla_claims_in_period(
        as_of, customers := customers, date_from := date_from, date_to := date_to
    )
),

keyed as (
    select
        *,
        case dimension
            when 'request_type' then request_type_code
            when 'channel' then channel
            when 'delivery_mode' then delivery_mode
            when 'region' then customer_region
            when 'assistance_point_region' then assistance_point_region
            when 'assistance_point' then assistance_point_code
            when 'customer' then customer_code
            when 'device_model' then device_model
            when 'segment' then customer_segment
            when 'account_manager' then account_manager
            else error(
                'dimension must be one of request_type, channel, delivery_mode, region, '
                || 'assistance_point_region, assistance_point, customer, device_model, '
                || 'segment, account_manager; not ' || coalesce(cast(dimension as varchar), 'null')
            )
        end as key,
        case dimension
            when 'request_type' then request_type
            when 'assistance_point' then coalesce(assistance_point_name, assistance_point_code)
            when 'customer' then coalesce(company_name, customer_code)
            when 'device_model' then concat_ws(' ', device_brand, device_model)
            when 'region' then customer_region
            when 'assistance_point_region' then assistance_point_region
            when 'channel' then channel
            when 'delivery_mode' then delivery_mode
            when 'segment' then customer_segment
            when 'account_manager' then account_manager
        end as label
    from in_range
),

counted as (
    select
        key,
        min(label) as label,
        marts.sla_tally(sla_state) as tally,
        marts.sla_medians(sla_state, business_days_taken, documentation_wait_days) as medians
    from keyed
    group by key
),

rated as (
    select
        cast(dimension as varchar) as dimension,
        key,
        nullif(label, '') as label,
        tally.*,
        medians.*
    from counted
)

select * from rated order by claims desc, key nulls last
