-- Parsing and identifier rules of source-exports.md, as SQL macros the staging SQL calls.
-- pipelines/contract.py holds the same rules in Python; tests check that the two agree.

-- Luhn check digit of a string of digits (an IMEI's 14-digit body).
create or replace macro luhn_digit(body) as (
    (10 - list_sum(list_transform(
        range(1, length(body) + 1),
        lambda i: case
            when (length(body) - i) % 2 = 0
                then cast(substr(body, i, 1) as integer) * 2
                     - case when cast(substr(body, i, 1) as integer) >= 5 then 9 else 0 end
            else cast(substr(body, i, 1) as integer)
        end
    )) % 10) % 10
);

-- Spaces, dots and dashes inside identifiers are not part of them.
create or replace macro strip_separators(value) as
    regexp_replace(value, '[ \t\n\r\f\v.\-]', '', 'g');

-- A valid 15-digit IMEI, or null. A 16-digit IMEISV keeps its body and gets a check digit.
create or replace macro imei_normalise(value) as (
    case
        when not regexp_full_match(strip_separators(value), '[0-9]{15,16}') then null
        when length(strip_separators(value)) = 16
            then substr(strip_separators(value), 1, 14)
                 || cast(luhn_digit(substr(strip_separators(value), 1, 14)) as varchar)
        when luhn_digit(substr(strip_separators(value), 1, 14))
             = cast(substr(strip_separators(value), 15, 1) as integer)
            then strip_separators(value)
    end
);

-- National digits of an Italian mobile number (+39 / 0039 dropped), or null.
create or replace macro nmu_digits(value) as
    regexp_replace(strip_separators(value), '^(\+39|0039)', '');
create or replace macro nmu_normalise(value) as (
    case when regexp_full_match(nmu_digits(value), '3[0-9]{8,9}') then nmu_digits(value) end
);

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
create or replace macro parse_timestamp(value) as
    try_strptime(value, [
        '%d/%m/%Y %H:%M:%S', '%d/%m/%Y %H:%M', '%d/%m/%Y',
        '%Y-%m-%dT%H:%M:%S', '%Y-%m-%dT%H:%M', '%Y-%m-%d %H:%M:%S', '%Y-%m-%d %H:%M', '%Y-%m-%d'
    ]);
create or replace macro parse_date(value) as
    cast(try_strptime(value, ['%d/%m/%Y', '%Y-%m-%d', '%Y-%m-%dT%H:%M:%S', '%Y-%m-%d %H:%M:%S']) as date);

-- Booleans: Sì / Si / S / No / N in any case; anything else is not a boolean.
create or replace macro parse_boolean(value) as (
    case
        when lower(value) in ('sì', 'si', 's') then true
        when lower(value) in ('no', 'n') then false
    end
);
