-- The dashboard's own state, in the app database beside the warehouse (never replaced by loads).

-- One row per dashboard account: the argon2 hash of its password, never the password.
create table if not exists accounts (
    login         varchar primary key,   -- core.users login, lower-cased
    password_hash varchar not null,      -- argon2id, PHC string format
    updated_at    timestamp not null     -- local time (Europe/Rome)
);

create sequence if not exists enablement_change_id start 1;

-- One row per enablement change made in the dashboard. Append-only: nothing updates or
-- deletes these rows; they are the audit record and the dashboard's side of each line's state.
create table if not exists enablement_changes (
    change_id      bigint primary key default nextval('enablement_change_id'),
    changed_at     timestamp not null,   -- local time (Europe/Rome), as the exports' Data modifica
    changed_by     varchar not null,     -- login of whoever made the change
    customer_code  varchar not null,
    nmu            varchar not null,
    enabled_before boolean,              -- the line's effective state before; null = never set
    enabled_after  boolean not null,
    source         varchar not null default 'dashboard' check (source = 'dashboard')
);

-- One row per sign-in attempt, by the login as typed (lower-cased): the throttle reads it.
create table if not exists sign_in_attempts (
    login     varchar not null,
    attempted_at timestamp not null,     -- local time (Europe/Rome)
    success   boolean not null,
    throttled boolean not null default false  -- refused unverified while the login was throttled
);
