-- One row per line (NMU) of customer $customer_code: used by a device, or named in the
-- enablement export.
select nmu from core.devices where customer_code = $customer_code and nmu is not null
union
select nmu from core.enablements where customer_code = $customer_code
order by nmu
