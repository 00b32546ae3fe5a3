-- A file's staged rows that failed a check, with every reason (a row of blanks is no record).
insert into raw.quarantine
select load_id, $file_name, $kind, line, raw_values, reasons
from {staged}
where len(reasons) > 0 and not no_value
