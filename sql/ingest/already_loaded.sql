-- The counts of the earlier load of a file with this content, if there was one.
select read_rows, loaded_rows, superseded_rows, quarantined_rows
from raw.load_log where content_hash = $1
