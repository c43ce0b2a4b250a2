-- One row per region, benchmark year and IO sector: the demand and trade block side by side
-- (null where the edition prints no such column), the total input of row TI (int_io_sectors),
-- and which trade columns the table prints (trade_layout):
--   split         国内省外流出/流入 apart from 出口/进口 (2012, 2017 provincial tables)
--   gross_total   流出/流入, other provinces and abroad together (2007 provincial tables)
--   net_total     净流出 only (2002 provincial tables)
--   foreign_only  出口/进口 only (the national tables)
{%- set concepts = [
    'io_intermediate_use', 'io_consumption_rural', 'io_consumption_urban', 'io_consumption_households',
    'io_consumption_government', 'io_final_consumption', 'io_fixed_capital_formation',
    'io_inventory_change', 'io_gross_capital_formation', 'io_exports', 'io_outflow_domestic',
    'io_outflow_total', 'io_net_outflow_total', 'io_final_use', 'io_imports', 'io_inflow_domestic',
    'io_inflow_total', 'io_other', 'io_gross_output'] %}
with

flows as (

    select * from {{ ref('int_io_flows') }}

),

sectors as (

    select * from {{ ref('int_io_sectors') }}

),

wide as (

    select
        region_code,
        year,
        io_code,
        {{ any_non_null('region_kind') }} as region_kind,
        {{ any_non_null('io_sector_name') }} as io_sector_name,
        {{ any_non_null('section') }} as section,
        {%- for concept in concepts %}
            max(value) filter (where concept = '{{ concept }}') as {{ concept[3:] }},
        {%- endfor %}
        -- the identity Σ sign·value over the concepts the seed signs (blank cells count as 0)
        sum(identity_sign * coalesce(value, 0)) as use_side_total,
        count(*) filter (where concept = 'io_outflow_domestic') as n_outflow_domestic,
        count(*) filter (where concept = 'io_outflow_total') as n_outflow_total,
        count(*) filter (where concept = 'io_net_outflow_total') as n_net_outflow_total,
        {{ ordered_string_agg(
            "case when identity_sign <> 0 or concept = 'io_gross_output' then source_cell end", "', '", 'source_cell'
        ) }} as identity_cells,
        {{ any_non_null('source_file') }} as source_file,
        {{ any_non_null('source_sheet') }} as source_sheet

    from flows
    group by region_code, year, io_code

)

select
    cast(wide.region_code as string) as region_code,
    cast(wide.region_kind as string) as region_kind,
    cast(wide.year as integer) as year,
    cast(wide.io_code as string) as io_code,
    cast(wide.io_sector_name as string) as io_sector_name,
    cast(wide.section as string) as section,
    cast(
        case
            when wide.n_outflow_domestic > 0 then 'split'
            when wide.n_outflow_total > 0 then 'gross_total'
            when wide.n_net_outflow_total > 0 then 'net_total'
            else 'foreign_only'
        end as string
    ) as trade_layout,
    {%- for concept in concepts %}
        cast(wide.{{ concept[3:] }} as double) as {{ concept[3:] }},
    {%- endfor %}
    cast(wide.use_side_total as double) as use_side_total,
    cast(sectors.total_output as double) as total_input,
    cast(wide.identity_cells as string) as identity_cells,
    cast(wide.source_file as string) as source_file,
    cast(wide.source_sheet as string) as source_sheet

from wide
left join sectors
    on wide.region_code = sectors.region_code
        and wide.year = sectors.year
        and wide.io_code = sectors.io_code
