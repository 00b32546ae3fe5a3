-- The as-of date T's indexes on core.calendar (null when T is outside the calendar):
-- index(T), the business days up to and including T, and next(T), the index of the first
-- business day >= T. Queries that compute T's SLA figures bind them as parameters.
select
    max(business_day_index) as as_of_index,
    max(next_business_day_index) as as_of_next_index
from core.calendar
where day = cast($as_of as date)
