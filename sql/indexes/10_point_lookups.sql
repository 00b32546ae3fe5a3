-- Point lookups the dashboard makes on large tables: a ticket (claim with its SLA dates)
-- by IMEI or request number, a device by IMEI. Without them each lookup scans millions of
-- rows (a device by IMEI: 50 ms at two million devices; with the index, 1 ms). A claim's
-- versions are found by a scan (13 ms at three million versions): an index there would
-- cost a full load 4 s to build for the one claim a detail view shows.
-- marts.tickets is rebuilt by loads that change devices, customers or the calendar: its
-- indexes are created again after every load (pipelines/warehouse.py).
create index if not exists tickets_imei on marts.tickets (imei);
create index if not exists tickets_request_number on marts.tickets (request_number);
create index if not exists devices_imei on core.devices (imei);
