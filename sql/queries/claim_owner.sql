-- One row, or none: the customer and line of claim $request_number (current version), so that
-- a claim out of scope is answered "not found" before anything else is read.
select
    customer_code,
    nmu
from marts.tickets
where request_number = $request_number
