-- Generated from pipelines/contract.py by `kasko sql compile`; do not edit.
-- core.users: current rows.
create table if not exists core.users (
    login varchar,
    full_name varchar,
    profile varchar,
    customer_code varchar,
    nmu varchar,
    load_id integer not null,
    line bigint not null,
    file_date date not null
);
