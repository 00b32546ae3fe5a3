-- The SLA of every claim (docs/sla.md), in two parts:
--
-- marts.claims_sla_base(source_table, from_load_id) / marts.ticket_base(from_load_id):
--   one row per claim (current version; with an id, only
--   the claims whose current version came with that load or a later one) with
--   everything that does not depend on the as-of date T: the dates S, S', D and A, their
--   business-day indexes, the business days taken and the documentation wait, the state
--   when it is settled whatever T
--   (excluded, met, breached on delivery), and the device, customer and assistance
--   point the claim refers to.
--   The SLA length n is the calendar's (kasko.toml [sla] business_days): changing it
--   rebuilds the calendar and these rows at the next `kasko load`.
-- marts.tickets: that macro's rows, stored after every load (pipelines/tickets.py),
--   ordered by customer so that one customer's claims sit in a few row groups.
-- marts.ticket_sla(as_of, customers): the stored rows with what depends on T: the state
--   of unsettled claims and the business days remaining, late, and waited for
--   documentation. No join is left for a page's query: it reads one table.
--
-- Business days are counted on core.calendar's running index: for a day d, index(d)
-- counts the business days up to and including d and next(d) is the index of the first
-- business day >= d, so
--   S' = the business day with index next(S), D = the one with index next(S) + n,
--   numpy's busday_count(X, Y) = next(Y) - next(X)   (business days in [X, Y)) if X <= Y,
--                                index(Y) - index(X)  (minus those in (Y, X])  if X > Y.
create or replace macro marts.claims_sla_base(source_table, from_load_id := null) as table
with
calendar as (select * from core.calendar),

business_calendar as (
    select day, business_day_index from core.calendar where is_business_day
),

sla_settings as (
    select
        coalesce((select max(sla_business_days) from core.calendar_settings), 5)
            as sla_business_days
),

dated as (
    select
        claims.*,
        ---------- dates (Europe/Rome local times in the exports: the time of day is dropped)
        cast(claims.opened_at as date) as opened_date,
        cast(claims.documentation_received_at as date) as clock_start_date,
        cast(claims.replacement_available_at as date) as available_date
    from query_table(source_table) as claims
    -- a load that brought only claims recomputes only those (pipelines/tickets.py); load ids
    -- grow, so this load's rows are the last ones appended, and the filter reaches the scan
    -- (a bound id): the zone maps skip every earlier row group
    where from_load_id is null or claims.load_id >= from_load_id
),

indexed as (
    select
        dated.*,
        opened.business_day_index as opened_index,
        opened.next_business_day_index as opened_next_index,
        clock_start.business_day_index as clock_start_business_index,
        clock_start.next_business_day_index as clock_start_index,
        available.business_day_index as available_index,
        available.next_business_day_index as available_next_index
    from dated
    left join calendar as opened on opened.day = dated.opened_date
    left join calendar as clock_start on clock_start.day = dated.clock_start_date
    left join calendar as available on available.day = dated.available_date
),

due as (
    select
        indexed.*,
        effective_start.day as effective_start_date,
        due_day.day as due_date,
        due_day.business_day_index as due_index,
        sla_settings.sla_business_days
    from indexed
    cross join sla_settings
    left join business_calendar as effective_start
        on effective_start.business_day_index = indexed.clock_start_index
    left join business_calendar as due_day
        on due_day.business_day_index = indexed.clock_start_index + sla_settings.sla_business_days
),

settled as (
    select
        due.*,
        -- docs/sla.md's states that no as-of date changes, in its order; the rest wait for T
        case
            when core.is_excluded_status(status) then 'excluded'
            when available_date is not null and available_date <= due_date then 'met'
            when available_date is not null and available_date > due_date then 'breached'
        end as settled_state,
        ---------- figures, in business days
        -- busday_count(S', A); S' is a business day, so index(S') = next(S') = next(S)
        case
            when available_date >= effective_start_date
                then available_next_index - clock_start_index
            when available_date < effective_start_date
                then available_index - clock_start_index
        end as business_days_taken,
        -- busday_count(opened date, S): the wait before the clock starts
        case
            when clock_start_date >= opened_date then clock_start_index - opened_next_index
            when clock_start_date < opened_date
                then clock_start_business_index - opened_index
        end as documentation_wait_days,
        ---------- codes and flags
        case request_type
            when 'Guasto/Malfunzionamento' then 'fault'
            when 'Furto/Smarrimento' then 'theft_loss'
        end as request_type_code,
        -- the portal's "Monitoraggio ticket": claims still open for the customer, neither
        -- delivered, closed, cancelled, rejected nor technically failed
        not core.is_closed_status(status) as is_monitored
    from due
)

select
    settled.* exclude (clock_start_business_index, available_index),
    ---------- device
    devices.brand as device_brand,
    devices.model as device_model,
    ---------- customer
    customers.company_name,
    customers.segment as customer_segment,
    customers.region as customer_region,
    customers.account_manager,
    ---------- assistance point
    assistance_points.name as assistance_point_name,
    assistance_points.province as assistance_point_province,
    assistance_points.region as assistance_point_region
from settled
left join core.devices as devices on devices.imei = settled.imei
left join core.customers as customers on customers.customer_code = settled.customer_code
left join core.assistance_points as assistance_points
    on assistance_points.point_code = settled.assistance_point_code;


-- The claims of the warehouse; marts.claims_sla_base reads any relation with core.claims'
-- columns the same way (the requests opened in the dashboard, sql/queries/intake_tickets.sql).
create or replace macro marts.ticket_base(from_load_id := null) as table
select * from marts.claims_sla_base('core.claims', from_load_id := from_load_id);


-- Created empty with the macro's columns; pipelines/tickets.py fills it after each load.
create table if not exists marts.tickets as select * from marts.ticket_base() with no data;


-- One row: the as-of date T and its indexes on core.calendar, index(T) (the business days
-- up to and including T) and next(T) (the index of the first business day >= T); null
-- when T is outside the calendar. The claims list binds the indexes as parameters
-- (sql/queries/as_of_day.sql).
create or replace macro marts.as_of_day(as_of) as table
select
    cast(as_of as date) as as_of_date,
    (select business_day_index from core.calendar where day = cast(as_of as date))
        as as_of_index,
    (select next_business_day_index from core.calendar where day = cast(as_of as date))
        as as_of_next_index;


-- What depends on the as-of date T, from a stored ticket's columns and T's indexes on
-- core.calendar (as_of_index = index(T), as_of_next_index = next(T); null when T is outside
-- the calendar). marts.ticket_sla below and the claims list (sql/queries/claims_list.sql,
-- which binds T's indexes as parameters) both compute T's figures with these.
-- docs/sla.md's states, in its order: the first that holds wins.
create or replace macro marts.sla_state_as_of(
    settled_state, available_date, due_date, clock_start_date, due_index, as_of_date, as_of_index
) as coalesce(
    settled_state,
    case
        when available_date is null and as_of_date > due_date then 'breached'
        when clock_start_date is null then 'pending_documentation'
        -- D is T or the next business day after T (whose index is T's index + 1)
        when due_index <= as_of_index + 1 then 'at_risk'
        when due_date is not null then 'on_track'
    end
);
-- business days in [T, D]: busday_count(T, D + 1 day)
create or replace macro marts.business_days_remaining(sla_state, due_index, as_of_next_index) as
    case when sla_state in ('at_risk', 'on_track') then due_index - as_of_next_index + 1 end;
-- business days in [D, A) when late, or [D, T) while still missing
create or replace macro marts.business_days_late(
    sla_state, due_index, available_next_index, as_of_next_index
) as
    case when sla_state = 'breached'
        then coalesce(available_next_index, as_of_next_index) - due_index
    end;


-- Parameters:
--   as_of          the as-of date T (a date, or text 'yyyy-mm-dd')
--   customers      VARCHAR[] of customer codes the reader may see; null = every customer
-- marts.ticket_sla_from reads any relation with marts.tickets' columns the same way (the
-- requests opened in the dashboard: dashboard/access/intake.py).
create or replace macro marts.ticket_sla_from(source_table, as_of, customers := null) as table
-- two levels only (the state, then what follows from it): a page's lookup is planned on
-- every call, and each level of 50 columns costs more to plan than the lookup to run
select
    stated.* exclude (
        opened_index, opened_next_index, clock_start_index, available_next_index, due_index,
        as_of_index, as_of_next_index, settled_state, effective_start_date, due_date,
        available_date, business_days_taken, sla_state, documentation_wait_days,
        request_type_code, is_monitored, as_of_date, sla_business_days, device_brand,
        device_model, company_name, customer_segment, customer_region, account_manager,
        assistance_point_name, assistance_point_province, assistance_point_region
    ),
    ---------- SLA
    effective_start_date,
    due_date,
    available_date,
    business_days_taken,
    marts.business_days_remaining(sla_state, due_index, as_of_next_index)
        as business_days_remaining,
    marts.business_days_late(sla_state, due_index, available_next_index, as_of_next_index)
        as business_days_late,
    sla_state,
    documentation_wait_days,
    -- the customer's wait so far, while the clock has not started: busday_count(opened, T)
    case when sla_state = 'pending_documentation' then
        case
            when as_of_date >= opened_date then as_of_next_index - opened_next_index
            else as_of_index - opened_index
        end
    end as documentation_pending_days,
    request_type_code,
    is_monitored,
    as_of_date,
    sla_business_days,
    ---------- device
    device_brand,
    device_model,
    ---------- customer
    company_name,
    customer_segment,
    customer_region,
    account_manager,
    ---------- assistance point
    assistance_point_name,
    assistance_point_province,
    assistance_point_region
from (
    select
        tickets.*,
        as_of_day.*,
        marts.sla_state_as_of(
            tickets.settled_state, tickets.available_date, tickets.due_date,
            tickets.clock_start_date, tickets.due_index, as_of_day.as_of_date,
            as_of_day.as_of_index
        ) as sla_state
    from query_table(source_table) as tickets
    cross join marts.as_of_day(as_of) as as_of_day
    where customers is null or list_contains(customers, tickets.customer_code)
) as stated;

create or replace macro marts.ticket_sla(as_of, customers := null) as table
select * from marts.ticket_sla_from('marts.tickets', as_of, customers := customers);


-- marts.ticket_sla without the descriptive columns: what the aggregates read.
create or replace macro marts.ticket_sla_figures(as_of, customers := null) as table
select * exclude (
    device_brand, device_model, company_name, customer_segment, customer_region,
    account_manager, assistance_point_name, assistance_point_province, assistance_point_region
)
from marts.ticket_sla(as_of, customers := customers);
