-- One row per file of the load: its load id and how many of its versions were loaded.
select version_load_id(version), count(*) filter (where loaded)
from settled where not prior group by all
