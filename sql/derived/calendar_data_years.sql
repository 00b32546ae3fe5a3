-- The first and last moment any SLA-relevant date of the claims touches: the calendar
-- covers their years (and the next).
select
    least(min(opened_at), min(documentation_received_at),
          min(replacement_available_at), min(updated_at)),
    greatest(max(opened_at), max(documentation_received_at),
             max(replacement_available_at), max(updated_at))
from core.claims
