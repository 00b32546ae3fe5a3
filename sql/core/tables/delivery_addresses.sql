-- Generated from pipelines/contract.py by `kasko sql compile`; do not edit.
-- core.delivery_addresses: current rows.
create table if not exists core.delivery_addresses (
    customer_code varchar,
    site_code varchar,
    address varchar,
    postcode varchar,
    municipality varchar,
    province varchar,
    active boolean,
    load_id integer not null,
    line bigint not null,
    file_date date not null
);
