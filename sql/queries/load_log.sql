-- One row per file loaded, newest first.
select
    load_id,
    file_name,
    kind,
    file_format,
    encoding,
    delimiter,
    file_date,
    read_rows,
    loaded_rows,
    superseded_rows,
    quarantined_rows,
    extra_columns,
    started_at,
    finished_at
from raw.load_log
order by load_id desc
