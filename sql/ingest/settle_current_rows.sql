-- Each winner's current row, built from its version in the history, with its own lineage.
insert into core.{kind} by name
select
    history.* replace (
        version_load_id(winners.version) as load_id,
        version_line(winners.version) as line,
        version_file_date(winners.version) as file_date
    )
from winners join core.{kind}_versions as history using ({key}, row_hash)
