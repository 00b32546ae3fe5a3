-- Claim states, grouped once: which Stato values are excluded from the SLA, and which are open.
-- Excluded from the SLA (docs/sla.md): rejected, failed for technical reasons, withdrawn.
create or replace macro core.is_excluded_status(status) as
    status in ('Non accolta', 'KO tecnico', 'Annullata');

-- Closed: the replacement was handed over, or nothing more will happen to the claim.
-- Monitoring shows the claims that are not, and a device with such a claim gets no other.
create or replace macro core.is_closed_status(status) as
    status in ('Chiusa', 'Consegnata', 'Non accolta', 'KO tecnico', 'Annullata');
