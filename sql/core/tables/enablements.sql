-- Generated from pipelines/contract.py by `kasko sql compile`; do not edit.
-- core.enablements: current rows, then every version.
create table if not exists core.enablements (
    customer_code varchar,
    nmu varchar,
    enabled boolean,
    changed_by varchar,
    changed_at timestamp,
    load_id integer not null,
    line bigint not null,
    file_date date not null,
    row_hash ubigint not null
);

create table if not exists core.enablements_versions (
    customer_code varchar,
    nmu varchar,
    enabled boolean,
    changed_by varchar,
    changed_at timestamp,
    load_id integer not null,
    line bigint not null,
    file_date date not null,
    row_hash ubigint not null
);
