-- The newest line of each key of a file wins unless the current row is as new or newer;
-- matched on narrow (key, order, line) triples: only the winners' keys and lines are kept,
-- and their wide rows go from the staged rows straight into the current table.
create or replace temp table winners as
with
ordered as (select {key}, line, {valid_order} as version from valid),
newest as (
    select {key}, arg_max(line, version) as line, max(version) as version
    from ordered group by all
),
beaten as (
    select newest.line
    from newest join core.{kind} as current on {current_match}
    where {current_order} >= newest.version
)
select {key}, line from newest anti join beaten using (line)
