-- Point lookups the dashboard makes on large tables: a ticket (claim with its SLA dates)
-- by IMEI, a device by IMEI. Without them each lookup scans millions of rows (a device by
-- IMEI: 50 ms at two million devices; with the index, 1 ms). A claim's versions are found
-- by a scan (13 ms at three million versions): an index there would cost a full load 4 s
-- to build for the one claim a detail view shows. So is a ticket by request number, for
-- the same view: 14 ms (p95 21 ms) at a million claims against 2 ms with an index, which
-- cost 0.7 s to build in a full load, 0.2 s of every daily load (deleting the changed
-- claims' keys) and 43 MB of the file each load copies.
-- marts.tickets is rebuilt by loads that change devices, customers or the calendar: its
-- indexes are created again after every load (pipelines/warehouse.py).
create index if not exists tickets_imei on marts.tickets (imei);
-- an earlier release's index (see above): dropped from its warehouses at their next load
drop index if exists marts.tickets_request_number;
create index if not exists devices_imei on core.devices (imei);
