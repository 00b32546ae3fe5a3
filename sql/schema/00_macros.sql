-- Parsing and identifier rules of the export contract (pipelines/contract.py), as SQL macros the staging SQL calls.
-- pipelines/contract.py holds the same rules in Python; tests check that the two agree.

-- Luhn check digit of an IMEI's 14-digit body, given as a number. Integer arithmetic on
-- fixed positions: far faster in DuckDB than splitting the text into a list of digits.
-- Every second digit from the right is doubled; a doubled digit d*2 adds (2d mod 10) + d div 5.
create or replace macro imei_check_digit(body) as (
    (10 - (
        (body // 10000000000000) % 10
        + ((body // 1000000000000) % 10) * 2 % 10 + ((body // 1000000000000) % 10) // 5
        + (body // 100000000000) % 10
        + ((body // 10000000000) % 10) * 2 % 10 + ((body // 10000000000) % 10) // 5
        + (body // 1000000000) % 10
        + ((body // 100000000) % 10) * 2 % 10 + ((body // 100000000) % 10) // 5
        + (body // 10000000) % 10
        + ((body // 1000000) % 10) * 2 % 10 + ((body // 1000000) % 10) // 5
        + (body // 100000) % 10
        + ((body // 10000) % 10) * 2 % 10 + ((body // 10000) % 10) // 5
        + (body // 1000) % 10
        + ((body // 100) % 10) * 2 % 10 + ((body // 100) % 10) // 5
        + (body // 10) % 10
        + ((body // 1) % 10) * 2 % 10 + ((body // 1) % 10) // 5
    ) % 10) % 10
);

-- Spaces, dots and dashes inside identifiers are not part of them.
create or replace macro strip_separators(value) as
    regexp_replace(value, '[ \t\n\r\f\v.\-]', '', 'g');

-- A valid 15-digit IMEI, or null. A 16-digit IMEISV keeps its body and gets a check digit.
-- In steps, so that staging can compute each step once as a column of its own:
-- digits = strip_separators(value); check = imei_body_check_digit(digits).
create or replace macro imei_body_check_digit(digits) as
    imei_check_digit(try_cast(substr(digits, 1, 14) as bigint));
create or replace macro imei_from_digits(digits, check_digit) as (
    case
        when not regexp_full_match(digits, '[0-9]{15,16}') then null
        when length(digits) = 16 then substr(digits, 1, 14) || cast(check_digit as varchar)
        when check_digit = cast(substr(digits, 15, 1) as integer) then digits
    end
);
create or replace macro imei_normalise(value) as
    imei_from_digits(
        strip_separators(value), imei_body_check_digit(strip_separators(value))
    );

-- National digits of an Italian mobile number (+39 / 0039 dropped), or null.
create or replace macro nmu_from_digits(digits) as (
    case
        when regexp_full_match(regexp_replace(digits, '^(\+39|0039)', ''), '3[0-9]{8,9}')
            then regexp_replace(digits, '^(\+39|0039)', '')
    end
);
create or replace macro nmu_normalise(value) as nmu_from_digits(strip_separators(value));

-- Partita IVA: 11 digits, the last the check digit of the first ten.
create or replace macro partita_iva_valid(value) as (
    case
        when regexp_full_match(value, '[0-9]{11}') then
            (10 - list_sum(list_transform(
                range(1, 11),
                lambda i: case
                    when i % 2 = 1 then cast(substr(value, i, 1) as integer)
                    else cast(substr(value, i, 1) as integer) * 2
                         - case when cast(substr(value, i, 1) as integer) >= 5 then 9 else 0 end
                end
            )) % 10) % 10 = cast(substr(value, 11, 1) as integer)
        else false
    end
);

-- Dates and date-times: dd/mm/yyyy [HH:MM[:SS]] or ISO 8601.
create or replace macro parse_timestamp_any(value) as
    try_strptime(value, [
        '%d/%m/%Y %H:%M:%S', '%d/%m/%Y %H:%M', '%d/%m/%Y',
        '%Y-%m-%dT%H:%M:%S', '%Y-%m-%dT%H:%M', '%Y-%m-%d %H:%M:%S', '%Y-%m-%d %H:%M', '%Y-%m-%d'
    ]);
-- The usual shapes first with one format each (a list of formats costs ten times more),
-- the full list only for what they do not match.
create or replace macro parse_timestamp(value) as
    coalesce(
        case
            when substr(value, 3, 1) <> '/' then null
            when length(value) = 16 then try_strptime(value, '%d/%m/%Y %H:%M')
            when length(value) = 19 then try_strptime(value, '%d/%m/%Y %H:%M:%S')
            when length(value) = 10 then try_strptime(value, '%d/%m/%Y')
        end,
        parse_timestamp_any(value)
    );
create or replace macro parse_date(value) as
    cast(try_strptime(value, ['%d/%m/%Y', '%Y-%m-%d', '%Y-%m-%dT%H:%M:%S', '%Y-%m-%d %H:%M:%S']) as date);

-- Booleans: Sì / Si / S / No / N in any case; anything else is not a boolean.
create or replace macro parse_boolean(value) as (
    case
        when lower(value) in ('sì', 'si', 's') then true
        when lower(value) in ('no', 'n') then false
    end
);

-- The order of a key's versions: its own time (the export contract), then the export date,
-- the load and the line. Packed into one unsigned 128-bit number, so that a load's max(),
-- arg_max() and windows compare one number rather than a struct (at millions of versions,
-- half the time). High to low: seconds since 0001-01-01 of the time (39 bits, to 9999;
-- times are read to the second), days since 0001-01-01 of the export date (22 bits), the
-- load id (31 bits), the line (36 bits). The version_* macros read the lineage back.
create or replace macro version_rank(changed, file_date, load_id, line) as
    (cast((epoch_us(coalesce(changed, timestamp '0001-01-01')) + 62135596800000000) // 1000000
          as uhugeint) << 89)
    | (cast(file_date - date '0001-01-01' as uhugeint) << 67)
    | (cast(load_id as uhugeint) << 36)
    | cast(line as uhugeint);
create or replace macro version_file_date(rank) as
    date '0001-01-01' + cast((rank >> 67) & 4194303 as integer);
create or replace macro version_load_id(rank) as cast((rank >> 36) & 2147483647 as integer);
create or replace macro version_line(rank) as cast(rank & 68719476735 as bigint);
