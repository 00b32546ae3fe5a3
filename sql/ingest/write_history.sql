-- A history kind's waiting rows ({pending}) written to core.{kind}_versions: every distinct
-- version once, a version sent again (in an earlier load, or earlier in this one) not
-- repeated. Narrow (key, hash, row id) triples are matched against the history first (an
-- inner join: the history scan is filtered by the waiting keys), and only the new versions
-- are joined back to the wide rows.
insert into core.{kind}_versions
with
first_copy as (select {key}, row_hash, min(rowid) as id from {pending} group by all),
known as (
    select first_copy.id
    from first_copy join core.{kind}_versions as history on {history_match}
),
new_version as (select id from first_copy anti join known using (id))
select {pending}.* from {pending} semi join new_version on {pending}.rowid = new_version.id
