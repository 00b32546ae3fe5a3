-- One row per customer whose Account manager is $login (compared trimmed and lower-cased).
select customer_code
from core.customers
where lower(trim(account_manager)) = $login
order by customer_code
