-- One row per flag: how many claims or enablements carry it (loaded and shown, never dropped).
select 'claim' as entity, flag, count(*) as rows from core.claim_flags group by flag
union all
select 'enablement' as entity, flag, count(*) as rows from core.enablement_flags group by flag
order by entity, flag
