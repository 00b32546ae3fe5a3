-- A file's staged rows that passed every check, as the core table holds them.
create or replace temp view valid as
select {columns}, load_id, line, file_date{row_hash}
from {staged} where len(reasons) = 0
