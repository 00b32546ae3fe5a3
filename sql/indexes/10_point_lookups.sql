-- Point lookups the dashboard makes on large tables: a ticket (claim with its SLA dates)
-- by IMEI or request number, a claim's owner and versions by request number, a device by
-- IMEI. Without them each lookup scans a million rows; with them it reads a few.
-- marts.tickets is rebuilt by loads that change devices, customers or the calendar: its
-- indexes are created again after every load (pipelines/warehouse.py).
create index if not exists tickets_imei on marts.tickets (imei);
create index if not exists tickets_request_number on marts.tickets (request_number);
create index if not exists claims_request_number on core.claims (request_number);
create index if not exists claims_versions_request_number on core.claims_versions (request_number);
create index if not exists devices_imei on core.devices (imei);
