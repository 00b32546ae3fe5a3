-- The newest version, in this file, of each of its keys (a history kind's arrivals).
select {key}, arg_max(row_hash, version) as row_hash, max(version) as version
from (select {key}, row_hash, {valid_order} as version from valid)
group by all
