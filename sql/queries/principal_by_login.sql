-- One row per portal user whose login is $login (compared trimmed and lower-cased).
select
    login,
    full_name,
    profile,
    customer_code,
    nmu
from core.users
where lower(trim(login)) = $login
order by login
