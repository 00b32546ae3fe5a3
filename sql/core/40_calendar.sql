-- The business-day calendar the SLA is measured on (docs/sla.md): one row per day.
-- pipelines/calendar.py fills it after every load from the `holidays` package; the
-- tables exist from the start so that the marts' macros can be created before any load.
create table if not exists core.calendar (
    day                     date primary key,
    is_business_day         boolean not null,   -- Monday to Friday and not a holiday
    holiday_name            varchar,            -- the holiday's Italian name, when it is one
    business_day_index      integer not null,   -- business days up to and including day
    next_business_day_index integer not null    -- index of the first business day >= day
);

-- One row: what the calendar was built with, so readers can tell which rules they see.
create table if not exists core.calendar_settings (
    province          varchar,            -- patron-saint day's province; null = national only
    sla_business_days integer not null,   -- the SLA length the marts use by default
    first_day         date not null,
    last_day          date not null,
    holidays_version  varchar not null,   -- version of the holidays package
    built_at          timestamp not null
);

-- The calendar for [first_day, last_day] given its holidays (parallel lists of days and names).
-- Business days are numbered by a running count, so "the n-th business day after S" and
-- "business days between two dates" are index arithmetic and equality joins, not loops.
create or replace macro core.calendar_from_holidays(first_day, last_day, holiday_days, holiday_names) as table
with
days as (
    select cast(generate_series as date) as day
    from generate_series(cast(first_day as timestamp), cast(last_day as timestamp), interval 1 day)
),

holidays as (
    select
        cast(unnest(holiday_days) as date) as day,
        unnest(holiday_names) as holiday_name
),

flagged as (
    select
        days.day,
        ---------- flags
        isodow(days.day) <= 5 and holidays.day is null as is_business_day,
        holidays.holiday_name
    from days
    left join holidays using (day)
),

indexed as (
    select
        *,
        cast(count(*) filter (where is_business_day) over (order by day) as integer)
            as business_day_index
    from flagged
),

with_next as (
    select
        day,
        is_business_day,
        holiday_name,
        business_day_index,
        -- a business day is its own next business day; any other day precedes the next one
        business_day_index + case when is_business_day then 0 else 1 end
            as next_business_day_index
    from indexed
)

select * from with_next order by day
