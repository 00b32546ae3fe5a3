-- The stored tickets of the claims this load changed (changed_claims), before their new rows.
delete from marts.tickets
where request_number in (select request_number from changed_claims)
