-- Values that are published but look wrong, one row per warning with the numbers (rules in
-- int_cells_suspect and below). Nothing here is withheld: fct_quarantine lists what is.
--   revenue_vs_io_output  where an input-output table gives a benchmark year, a sector's
--                         revenue above designated size (the divisions mapped to it, all
--                         reported) over the sector's gross output in the IO table lies
--                         outside cross_source_io_output_band, either side being material.
{%- set band = var('cross_source_io_output_band') %}
with

suspect as (

    select * from {{ ref('int_cells_suspect') }}

),

io as (

    select * from {{ ref('int_io_sectors') }}
    where region_kind = 'province' and section in ('mining', 'manufacturing', 'utilities')

),

mapping as (

    select * from {{ ref('io_sector_division') }}

),

revenue as (

    select
        province_code,
        year,
        industry_code,
        value,
        source_value_ids
    from {{ ref('int_cells_harmonised') }}
    where indicator = 'main_business_revenue'

),

material as (

    select plausibility_material_value from {{ ref('indicator') }}
    where indicator = 'main_business_revenue'

),

sectors as (

    select
        io.region_code as province_code,
        io.year,
        io.io_code,
        {{ any_non_null('io.io_sector_name') }} as io_sector_name,
        {{ any_non_null('io.total_output') }} as total_output,
        count(mapping.industry_code) as n_divisions,
        count(revenue.value) as n_divisions_reported,
        sum(revenue.value) as revenue,
        {{ ordered_string_agg('mapping.industry_code', "'+'") }} as industry_codes,
        {{ list_concat(
            'flatten(' ~ ordered_list('revenue.source_value_ids', 'mapping.industry_code') ~ ')',
            any_non_null('io.source_value_ids')
        ) }} as source_value_ids
    from io
    inner join mapping
        on io.year = mapping.io_edition
            and io.io_code = mapping.io_code
    left join revenue
        on io.region_code = revenue.province_code
            and io.year = revenue.year
            and mapping.industry_code = revenue.industry_code
    group by io.region_code, io.year, io.io_code

),

io_warnings as (

    select
        'revenue_vs_io_output' as rule,
        sectors.province_code,
        sectors.year,
        'main_business_revenue' as indicator,
        sectors.industry_codes as industry_code,
        sectors.io_sector_name as industry_label,
        sectors.revenue as value,
        'revenue ' || round(sectors.revenue, 2) || ' 亿元 of divisions ' || sectors.industry_codes
        || ' is ' || round(sectors.revenue / sectors.total_output, 3) || ' of IO sector ' || sectors.io_code
        || ' gross output ' || round(sectors.total_output, 2) || ' 亿元 (accepted {{ band[0] }}-{{ band[1] }})'
            as detail,
        sectors.source_value_ids
    from sectors
    cross join material
    where sectors.n_divisions_reported = sectors.n_divisions
        and sectors.total_output > 0
        and greatest(sectors.revenue, sectors.total_output) >= material.plausibility_material_value
        and (
            sectors.revenue / sectors.total_output < {{ band[0] }}
            or sectors.revenue / sectors.total_output > {{ band[1] }}
        )

),

unioned as (

    select * from suspect
    union all
    select * from io_warnings

)

select
    cast(rule as string) as rule,
    cast(province_code as string) as province_code,
    cast(year as integer) as year,
    cast(indicator as string) as indicator,
    cast(industry_code as string) as industry_code,
    cast(industry_label as string) as industry_label,
    cast(value as double) as value,
    cast(detail as string) as detail,
    cast(source_value_ids as {{ type_string_list() }}) as source_value_ids
from unioned
