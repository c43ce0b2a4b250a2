-- Integration measured from the input-output tables' trade columns (docs/integration.md), per
-- level of aggregation:
--   province_sector         a province's IO sector
--   province_manufacturing  a province's manufacturing IO sectors, summed
--   nation_sector           an IO sector summed over all provinces' tables (not the national table)
--   nation_manufacturing    manufacturing summed over all provinces
--   group_sector            an IO sector summed over a region group's members
--   group_manufacturing     manufacturing summed over a region group's members
-- Flows are summed before dividing. Defined only where every row summed separates domestic
-- from foreign flows (trade_layout split: the 2012 and 2017 provincial tables); elsewhere null
-- with null_reason. A sum over provinces counts flows between them too: the tables do not say
-- which province trades with which.
{%- set columns = 'io_rows.region_code, io_rows.year, io_rows.trade_layout, io_rows.outflow_domestic, '
    ~ 'io_rows.inflow_domestic, io_rows.exports, io_rows.imports, io_rows.gross_output, io_rows.domestic_use' %}
with

io_rows as (

    select
        *,
        intermediate_use + final_consumption + gross_capital_formation as domestic_use
    from {{ ref('int_io_flow_rows') }}
    where region_kind = 'province'

),

members as (

    select * from {{ ref('int_region_group_member') }}

),

scoped as (

    select
        'province_sector' as level,
        io_rows.region_code as unit_code,
        io_rows.io_code as scope_code,
        {{ columns }}
    from io_rows

    union all

    select
        'province_manufacturing' as level,
        io_rows.region_code as unit_code,
        'manufacturing' as scope_code,
        {{ columns }}
    from io_rows
    where io_rows.section = 'manufacturing'

    union all

    select
        'nation_sector' as level,
        'all_provinces' as unit_code,
        io_rows.io_code as scope_code,
        {{ columns }}
    from io_rows

    union all

    select
        'nation_manufacturing' as level,
        'all_provinces' as unit_code,
        'manufacturing' as scope_code,
        {{ columns }}
    from io_rows
    where io_rows.section = 'manufacturing'

    union all

    select
        'group_sector' as level,
        members.group_code as unit_code,
        io_rows.io_code as scope_code,
        {{ columns }}
    from io_rows
    inner join members on io_rows.region_code = members.province_code

    union all

    select
        'group_manufacturing' as level,
        members.group_code as unit_code,
        'manufacturing' as scope_code,
        {{ columns }}
    from io_rows
    inner join members on io_rows.region_code = members.province_code
    where io_rows.section = 'manufacturing'

),

summed as (

    select
        level,
        unit_code,
        scope_code as io_code,
        year,
        case when min(trade_layout) = max(trade_layout) then min(trade_layout) else 'mixed' end as trade_layout,
        count(distinct region_code) as n_provinces,
        count(*) as n_rows,
        sum(outflow_domestic) as outflow_domestic,
        sum(inflow_domestic) as inflow_domestic,
        sum(exports) as exports,
        sum(imports) as imports,
        sum(gross_output) as gross_output,
        sum(domestic_use) as domestic_use

    from scoped
    group by level, unit_code, scope_code, year

),

defined as (

    select
        *,
        trade_layout = 'split' as is_split,
        -- output below the tables' printing precision (1 万元) counts as none
        gross_output > {{ var('io_identity_tolerance_abs') }} as has_output,
        outflow_domestic + inflow_domestic + exports + imports as external_trade

    from summed

)

select
    cast(level as string) as level,
    cast(unit_code as string) as unit_code,
    cast(io_code as string) as io_code,
    cast(year as integer) as year,
    cast(trade_layout as string) as trade_layout,
    cast(n_provinces as integer) as n_provinces,
    cast(n_rows as integer) as n_rows,
    cast(outflow_domestic as double) as outflow_domestic,
    cast(inflow_domestic as double) as inflow_domestic,
    cast(exports as double) as exports,
    cast(imports as double) as imports,
    cast(gross_output as double) as gross_output,
    cast(domestic_use as double) as domestic_use,
    -- outflow share of output: OF / GO
    cast(case when is_split and has_output then outflow_domestic / gross_output end as double)
        as outflow_share,
    -- inflow share of domestic use: IF / (TIU + TC + GCF)
    cast(case when is_split and domestic_use > 0 then inflow_domestic / domestic_use end as double)
        as inflow_share_of_domestic_use,
    -- inter-provincial trade intensity: (OF + IF) / GO
    cast(case when is_split and has_output then (outflow_domestic + inflow_domestic) / gross_output end as double)
        as interprovincial_trade_intensity,
    -- foreign trade intensity: (EX + IM) / GO
    cast(case when is_split and has_output then (exports + imports) / gross_output end as double)
        as foreign_trade_intensity,
    -- domestic versus foreign openness: (OF + IF) / (OF + IF + EX + IM)
    cast(
        case when is_split and external_trade > 0 then (outflow_domestic + inflow_domestic) / external_trade end
        as double
    ) as domestic_share_of_external_trade,
    cast(
        case
            when trade_layout = 'gross_total' then 'edition_prints_flows_with_foreign_trade_inside'
            when trade_layout = 'net_total' then 'edition_prints_net_outflow_only'
            when trade_layout = 'foreign_only' then 'table_prints_no_interprovincial_flows'
            when trade_layout = 'mixed' then 'rows_differ_in_trade_layout'
            when not coalesce(has_output, false) then 'zero_output'
            when domestic_use is null or domestic_use <= 0 then 'zero_domestic_use'
            when external_trade <= 0 then 'no_external_trade'
        end as string
    ) as null_reason

from defined
