-- The demand and trade block of each input-output table: one row per region, benchmark year,
-- 42-sector IO sector and concept (seed io_flow_concept says what each holds), in 亿元, with
-- the cell it was read from.
with

cells as (

    select * from {{ ref('stg_io__tables') }}
    where indicator not in ('io_total_output', 'io_value_added')

),

regions as (

    select * from {{ ref('int_region_alias') }}

),

units as (

    select * from {{ ref('unit_conversion') }}
    where target_unit = '亿元'

),

sections as (

    select distinct
        io_edition,
        io_code,
        section
    from {{ ref('io_sector_division') }}

),

concepts as (

    select * from {{ ref('io_flow_concept') }}

)

select
    cast(regions.region_code as string) as region_code,
    cast(regions.region_kind as string) as region_kind,
    cast(cells.year as integer) as year,
    cast(cells.io_code as string) as io_code,
    cast(cells.industry_label as string) as io_sector_name,
    cast(coalesce(sections.section, 'other') as string) as section,
    cast(cells.indicator as string) as concept,
    cast(concepts.flow_scope as string) as flow_scope,
    cast(concepts.identity_sign as integer) as identity_sign,
    cast(cells.indicator_label as string) as header_as_printed,
    cast({{ convert_unit('cells.value_in_source_unit', 'units') }} as double) as value,
    cast('亿元' as string) as unit,
    cast(cells.source_file as string) as source_file,
    cast(cells.source_sheet as string) as source_sheet,
    cast(cells.source_cell as string) as source_cell,
    cast(cells.raw_value_id as string) as raw_value_id

from cells
left join regions
    on regions.alias_key = {{ normalise_label('cells.province_label') }}
        and cells.year between regions.first_year and regions.last_year
left join units
    on cells.source_unit = units.unit
left join sections
    on cells.io_edition = sections.io_edition
        and cells.io_code = sections.io_code
left join concepts
    on cells.indicator = concepts.concept
