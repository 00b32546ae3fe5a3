-- One row per customer in scope ($customers: codes, null = every customer).
select
    customer_code,
    company_name,
    vat_number,
    segment,
    contract,
    region,
    account_manager
from core.customers
where $customers is null or list_contains($customers, customer_code)
order by company_name, customer_code
