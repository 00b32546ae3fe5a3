-- The claims whose current version the loader's `winners` hold, noted with the load each
-- version came with, for the next refresh of marts.tickets on this connection.
create temp table if not exists changed_claims (request_number varchar, load_id integer);
insert into changed_claims select request_number, version_load_id(version) from winners;
