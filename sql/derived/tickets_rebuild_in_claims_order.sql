-- marts.tickets rebuilt whole from a core.claims written whole by this load, in its stored
-- order (customer_code, request_number: sql/ingest/settle_current_rows.sql). The rows keep
-- that order (DuckDB preserves insertion order): sorting their 54 columns again costs
-- more than sorting the claims' 29 did (docs/performance.md).
create or replace table marts.tickets as
select * from marts.ticket_base()
