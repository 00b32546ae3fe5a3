-- The lines the reader could not split into cells (rejected_lines: line, text, message).
insert into raw.quarantine
select $load_id, $file_name, $kind, line, to_json(text), [message]
from rejected_lines
