-- Once per load, for each key a history kind's files brought ({arrivals}: each file's newest
-- version of the key): a noted version is loaded when it is newer than every version of its
-- key before it, the current row and the versions of files loaded before in this load (load
-- ids grow with load order); the newest of all is the key's new current row.
create or replace temp table settled as
with candidates as (
    select {key}, row_hash, version, false as prior from {arrivals}
    union all
    select {key}, null, {current_order}, true
    from core.{kind} as current semi join {arrivals} using ({key})
)
select
    *,
    coalesce(version > max(version) over earlier, true) as loaded,
    version = max(version) over everything as newest
from candidates
window
    earlier as (partition by {key} order by version_load_id(version)
                rows between unbounded preceding and 1 preceding),
    everything as (partition by {key})
