-- The load log's counts of the settled files: loaded as settled, the rest superseded.
update raw.load_log
set loaded_rows = counts.loaded,
    superseded_rows = load_log.loaded_rows + load_log.superseded_rows - counts.loaded
from (select unnest($load_ids) as load_id, unnest($loaded) as loaded) as counts
where load_log.load_id = counts.load_id
