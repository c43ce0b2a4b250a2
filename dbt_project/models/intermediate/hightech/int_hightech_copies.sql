-- One row per file of the high-tech family, ranked within its edition (data year). When an
-- edition arrives more than once, the copy that wins is the one closest to the printed yearbook:
--   1. it carries the table number in its title (5-3 …), as the yearbook prints it;
--   2. it keeps the bilingual region labels (web exports and retyped copies drop them);
--   3. it has more indicator columns (two early xlsx conversions dropped four columns);
--   4. it prints more decimals (a retyped copy rounds 174613.10298 to 174613);
--   5. xls before xlsx before HTML (the publisher distributes xls; the others are conversions);
--   6. file name, so the choice is deterministic.
-- fct_hightech_copy_comparison shows, cell by cell, what each losing copy says instead.
with

cells as (

    select * from {{ ref('int_hightech_cells') }}

),

files as (

    select
        year as edition_year,
        source_file,
        {{ any_non_null('file_sha256') }} as file_sha256,
        {{ any_non_null('file_kind') }} as file_kind,
        bool_or(was_encrypted) as was_encrypted,
        {{ any_non_null('table_title') }} as table_title,
        {{ regexp_contains(any_non_null('table_title'), '^\s*\d+\s*-\s*\d+') }} as has_table_number,
        avg(case when region_label_en is not null then 1.0 else 0.0 end) >= 0.5 as has_english_labels,
        count(distinct indicator) as n_indicators,
        max(printed_decimals) as max_printed_decimals,
        count(*) as n_cells

    from cells
    group by year, source_file

),

ranked as (

    select
        *,
        count(*) over (partition by edition_year) as n_copies,
        row_number() over (
            partition by edition_year
            order by
                has_table_number desc,
                has_english_labels desc,
                n_indicators desc,
                max_printed_decimals desc,
                case file_kind when 'xls' then 1 when 'xlsx' then 2 else 3 end,
                source_file asc
        ) as copy_rank

    from files

)

select
    *,
    copy_rank = 1 as is_winning_copy

from ranked
