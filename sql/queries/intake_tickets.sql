-- The requests opened in the dashboard ($intake_claims: rows with core.claims' columns) that
-- no claims export carries yet, as marts.tickets rows: the same macro computes their SLA
-- dates. Their Stato says they wait for the back office; what documentation is missing
-- shows in their SLA state (pending_documentation) and their detail.
select * replace ('Inviata, non ancora presa in carico' as status)
from marts.claims_sla_base('intake_claims')
where request_number not in (
    select request_number from marts.tickets where starts_with(request_number, 'KP-')
)
