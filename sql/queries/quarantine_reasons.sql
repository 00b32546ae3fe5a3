-- One row per export kind and reason code (the text before ': '): how many quarantined rows.
select
    kind,
    split_part(reason, ': ', 1) as reason,
    count(*) as rows
from (select kind, unnest(reasons) as reason from raw.quarantine)
group by kind, split_part(reason, ': ', 1)
order by rows desc, kind, reason
