-- The changed claims' tickets: every current claim row written from load $1 on.
insert into marts.tickets
select * from marts.ticket_base(from_load_id := $1)
order by customer_code, request_number
