-- Total output and value added by region, benchmark year and 42-sector IO sector, in 亿元, from
-- each province's (and the nation's) input-output table. Total output is the table's total
-- input (row TI), equal to total output by the table's own identity.
with

cells as (

    -- the TI and TVA rows; the demand and trade block is int_io_flows
    select * from {{ ref('stg_io__tables') }}
    where indicator in ('io_total_output', 'io_value_added')

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

resolved as (

    select
        regions.region_code,
        regions.region_kind,
        cells.*,
        {{ convert_unit('cells.value_in_source_unit', 'units') }} as value_yi

    from cells
    left join regions
        on regions.alias_key = {{ normalise_label('cells.province_label') }}
            and cells.year between regions.first_year and regions.last_year
    left join units
        on cells.source_unit = units.unit

)

select
    cast(resolved.region_code as string) as region_code,
    cast({{ any_non_null('resolved.region_kind') }} as string) as region_kind,
    cast(resolved.year as integer) as year,
    cast(resolved.io_code as string) as io_code,
    cast({{ any_non_null('resolved.industry_label') }} as string) as io_sector_name,
    cast(coalesce({{ any_non_null('sections.section') }}, 'other') as string) as section,
    cast(max(resolved.value_yi) filter (where resolved.indicator = 'io_total_output') as double) as total_output,
    cast(max(resolved.value_yi) filter (where resolved.indicator = 'io_value_added') as double) as value_added,
    cast('亿元' as string) as unit,
    cast(
        {{ ordered_list('resolved.raw_value_id', 'resolved.indicator') }} as {{ type_string_list() }}
    ) as source_value_ids,
    cast({{ any_non_null('resolved.source_file') }} as string) as source_file

from resolved
left join sections
    on resolved.io_edition = sections.io_edition
        and resolved.io_code = sections.io_code
group by resolved.region_code, resolved.year, resolved.io_code
