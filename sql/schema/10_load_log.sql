-- What the loader has done: one row per file loaded, and every quarantined row.
create schema if not exists raw;
create schema if not exists core;
create schema if not exists marts;

create sequence if not exists raw.load_id_seq start 1;

-- One row per file that was loaded (a refused file leaves no trace in the warehouse).
create table if not exists raw.load_log (
    load_id         integer primary key,
    file_name       varchar not null,
    file_path       varchar not null,
    content_hash    varchar not null,   -- sha256 of the file's bytes: same content, same load
    kind            varchar not null,   -- customers, devices, claims, enablements, ...
    file_format     varchar not null,   -- csv or xlsx
    encoding        varchar,            -- utf-8, utf-8-sig or cp1252 (csv)
    delimiter       varchar,            -- ; or , (csv)
    file_date       date not null,      -- export date from the file name, else the load date
    read_rows       bigint not null,
    loaded_rows     bigint not null,
    superseded_rows bigint not null,
    quarantined_rows bigint not null,
    extra_columns   varchar[],          -- headers the contract does not know, reported once
    started_at      timestamp not null,
    finished_at     timestamp not null,
    check (read_rows = loaded_rows + superseded_rows + quarantined_rows)
);
create unique index if not exists load_log_content_hash on raw.load_log (content_hash);

-- Rows that cannot be interpreted, with where they came from and every reason.
create table if not exists raw.quarantine (
    load_id     integer not null,
    file_name   varchar not null,
    kind        varchar not null,
    line        bigint not null,          -- line in the file (the header is line 1)
    raw_values  json,                     -- the row as read, by export header
    reasons     varchar[] not null
);

-- The SQL the warehouse's macros and views were last written with (pipelines/warehouse.py):
-- a load by a new release rewrites them, and what is derived, even when no file is new.
create table if not exists raw.schema_version (
    id           integer primary key,   -- always 1: one row
    fingerprint  varchar not null       -- sha256 of the sql/ files
);
