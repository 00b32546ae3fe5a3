-- The as-of date T's indexes on core.calendar (marts.as_of_day): queries that compute T's
-- SLA figures from marts.tickets bind them as parameters.
select as_of_index, as_of_next_index from marts.as_of_day($as_of)
