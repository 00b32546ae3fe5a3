-- Every day from $first_day to $last_day, with the holidays given ($days, $names) and the
-- running business-day index the SLA is counted on (core.calendar_from_holidays).
insert into core.calendar
select * from core.calendar_from_holidays($first_day, $last_day, $days, $names)
