-- Each winner's current row, built from its version in the history, with its own lineage,
-- written in the kind's stored order (SourceKind.stored_order): a new warehouse's
-- marts.tickets keeps that order without sorting a million wide rows again.
insert into core.{kind} by name
select
    history.* replace (
        version_load_id(winners.version) as load_id,
        version_line(winners.version) as line,
        version_file_date(winners.version) as file_date
    )
from winners join core.{kind}_versions as history using ({key}, row_hash)
order by {order}
