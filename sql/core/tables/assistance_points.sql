-- Generated from pipelines/contract.py by `kasko sql compile`; do not edit.
-- core.assistance_points: current rows.
create table if not exists core.assistance_points (
    point_code varchar,
    name varchar,
    address varchar,
    municipality varchar,
    province varchar,
    region varchar,
    load_id integer not null,
    line bigint not null,
    file_date date not null
);
