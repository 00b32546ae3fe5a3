-- marts.tickets rebuilt whole: every claim's SLA dates and descriptions, by customer.
create or replace table marts.tickets as
select * from marts.ticket_base() order by customer_code, request_number
