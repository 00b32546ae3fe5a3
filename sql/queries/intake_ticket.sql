-- One request opened in the dashboard ($request_number, from intake_tickets) with its SLA
-- figures as of $as_of: what sql/queries/claim_current.sql gives for a claim.
select * from marts.ticket_sla_from('intake_tickets', $as_of)
where request_number = $request_number
