-- The keys whose newest version came with this load, and that version.
create or replace temp table winners as
select {key}, row_hash, version from settled where newest and not prior
