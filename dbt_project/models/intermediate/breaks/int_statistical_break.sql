-- Every known break of a series, one row per break and indicator: the documented breaks of the
-- seed statistical_break, plus the classification switches and high-tech series bases that
-- other seeds already define, and the scope breaks the high-tech tables share (derived here so
-- each lives in one place). province_code is null: a known break applies to every province.
-- first_year is the first year on the new basis.
with

documented as (

    select
        break_code,
        break_kind,
        indicator,
        first_year,
        name_en,
        name_zh,
        reference
    from {{ ref('statistical_break') }}

),

family_indicators as (

    select distinct
        source_family,
        indicator
    from {{ ref('int_cells_labelled') }}

),

-- a source family's vintage that starts after its first one starts a classification break
classification_vintages as (

    select
        *,
        row_number() over (partition by source_family order by first_year) as vintage_rank
    from {{ ref('source_classification_vintage') }}

),

classification as (

    select
        'gbt4754_' || vintages.vintage as break_code,
        'classification' as break_kind,
        family_indicators.indicator,
        vintages.first_year,
        'Industries classified by GB/T 4754-' || vintages.vintage || ' from this year' as name_en,
        '自该年起按GB/T 4754-' || vintages.vintage || '分类' as name_zh,
        'seed source_classification_vintage: ' || vintages.evidence as reference
    from classification_vintages as vintages
    inner join family_indicators using (source_family)
    where vintages.vintage_rank > 1

),

hightech_bases as (

    select
        *,
        row_number() over (order by first_year) as basis_rank
    from {{ ref('hightech_series_basis') }}

),

hightech_indicators as (

    select distinct indicator from {{ ref('int_hightech_cells') }}

),

hightech as (

    select
        bases.series_basis as break_code,
        'classification' as break_kind,
        hightech_indicators.indicator,
        bases.first_year,
        'High-tech industry series on the basis ' || bases.series_basis || ' (' || bases.classification
        || ', ' || bases.revenue_concept_zh || ')' as name_en,
        '高技术产业统计口径：' || bases.classification || '，' || bases.revenue_concept_zh as name_zh,
        'seed hightech_series_basis: ' || bases.note as reference
    from hightech_bases as bases
    cross join hightech_indicators
    where bases.basis_rank > 1

),

-- the high-tech tables count the enterprises above designated size (seed hightech_series_basis,
-- scope_of): that indicator's scope and census breaks inside a basis's years are breaks of every
-- high-tech series; a break in a basis's first year is already the basis change
hightech_scope as (

    select
        documented.break_code,
        documented.break_kind,
        hightech_indicators.indicator,
        documented.first_year,
        documented.name_en,
        documented.name_zh,
        documented.reference || '; the high-tech tables share this scope (seed hightech_series_basis, '
        || bases.series_basis || ')' as reference
    from hightech_bases as bases
    inner join documented
        on
            bases.scope_of = documented.indicator
            and bases.first_year < documented.first_year
            and bases.last_year >= documented.first_year
            and documented.break_kind in ('statistical_scope', 'census_revision')
    cross join hightech_indicators

),

unioned as (

    select * from documented
    union all
    select * from classification
    union all
    select * from hightech
    union all
    select * from hightech_scope

)

select
    cast(break_code as string) as break_code,
    cast(break_kind as string) as break_kind,
    cast(indicator as string) as indicator,
    cast(null as string) as province_code,
    cast(first_year as integer) as first_year,
    cast(name_en as string) as name_en,
    cast(name_zh as string) as name_zh,
    cast(reference as string) as reference
from unioned
