-- What the stored SLA dates depend on in the calendar: its days, business days and length.
select count(*), min(day), max(day), sum(business_day_index),
       (select max(sla_business_days) from core.calendar_settings)
from core.calendar
