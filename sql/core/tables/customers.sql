-- Generated from pipelines/contract.py by `kasko sql compile`; do not edit.
-- core.customers: current rows.
create table if not exists core.customers (
    customer_code varchar,
    company_name varchar,
    vat_number varchar,
    segment varchar,
    contract varchar,
    region varchar,
    account_manager varchar,
    load_id integer not null,
    line bigint not null,
    file_date date not null
);
