-- One row per enablement (current version) whose line no device in the inventory uses.
create or replace view core.enablement_flags as
select
    enablements.customer_code,
    enablements.nmu,
    'line_without_device' as flag,
    'no device of customer ' || enablements.customer_code || ' uses line ' || enablements.nmu as detail
from core.enablements as enablements
anti join core.devices as devices
    on devices.customer_code = enablements.customer_code and devices.nmu = enablements.nmu
