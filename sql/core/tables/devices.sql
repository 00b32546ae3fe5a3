-- Generated from pipelines/contract.py by `kasko sql compile`; do not edit.
-- core.devices: current rows.
create table if not exists core.devices (
    customer_code varchar,
    nmu varchar,
    imei varchar,
    brand varchar,
    model varchar,
    device_type varchar,
    protection_state varchar,
    protection_start date,
    protection_end date,
    assignee varchar,
    assignee_email varchar,
    load_id integer not null,
    line bigint not null,
    file_date date not null
);
