-- Point lookups the dashboard makes on large tables: a claim by IMEI or request number,
-- a device by IMEI (also the join from a claim to its device). Without them each lookup
-- scans a million rows; with them it reads a few.
create index if not exists claims_imei on core.claims (imei);
create index if not exists claims_request_number on core.claims (request_number);
create index if not exists claims_versions_request_number on core.claims_versions (request_number);
create index if not exists devices_imei on core.devices (imei);
