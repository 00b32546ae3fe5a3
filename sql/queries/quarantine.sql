-- One row per quarantined row (at most $limit), newest load first: where it came from, the
-- values as read and every reason.
select
    load_id,
    file_name,
    kind,
    line,
    cast(raw_values as varchar) as raw_values,
    reasons
from raw.quarantine
order by load_id desc, line
limit $limit
