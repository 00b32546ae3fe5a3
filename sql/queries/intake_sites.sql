-- A customer's delivery addresses from the back office's sedi exports, still offered.
select site_code, address, postcode, municipality, province
from core.delivery_addresses
where customer_code = $customer_code and coalesce(active, true)
order by site_code
