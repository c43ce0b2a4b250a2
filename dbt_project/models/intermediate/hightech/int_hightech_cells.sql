-- High-tech table cells of every copy, with each printed region resolved to a province, an NBS
-- macro-region subtotal or the national total (kept apart: subtotals are never summed with
-- provinces), the series basis of its year, and the number of decimals printed (the precision
-- at which two copies can be compared).
with

cells as (

    select * from {{ ref('stg_hightech__region_table') }}

),

regions as (

    select * from {{ ref('int_region_alias') }}

),

bases as (

    select * from {{ ref('hightech_series_basis') }}

),

resolved as (

    select
        cells.*,
        regions.region_code,
        regions.region_kind,
        bases.series_basis,
        coalesce(
            length(regexp_extract(cells.value_as_printed, {{ regex_literal('\.(\d+)$') }}, 1)), 0
        ) as printed_decimals

    from cells
    left join regions
        on regions.alias_key = {{ normalise_label('cells.province_label') }}
            and cells.year between regions.first_year and regions.last_year
    left join bases
        on cells.year between bases.first_year and bases.last_year

)

select * from resolved
