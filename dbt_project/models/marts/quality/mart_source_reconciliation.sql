-- Provincial totals of different sources side by side, each comparison with its band:
--   io_value_added_vs_gdp           IO table value added (all 42 sectors) / GDP as first published
--                                   (the vintage IO tables are compiled on), band var reconcile_io_gdp_band;
--   io_value_added_vs_gdp_revised   the same against the GDP revised after the 5th census, for
--                                   reference only (no band: the revision is expected to differ);
--   revenue_vs_io_industry_output   Wind 规模以上 revenue 合计 / IO output of mining, manufacturing
--                                   and utilities, band var reconcile_revenue_io_output_band;
--   hightech_subtotal_vs_members    printed high-tech subtotals / their provinces' sum, within rounding.
-- gx_mart_source_reconciliation reports rows outside their band in the validation report.
{%- set io_gdp = var('reconcile_io_gdp_band') %}
{%- set rev_io = var('reconcile_revenue_io_output_band') %}
with

io_totals as (

    select
        region_code,
        year,
        sum(value_added) as value_added,
        sum(total_output) filter (where section in ('mining', 'manufacturing', 'utilities')) as industry_output

    from {{ ref('int_io_sectors') }}
    where region_kind = 'province'
    group by region_code, year

),

gdp as (

    select * from {{ ref('int_province_gdp') }}

),

revenue as (

    select
        province_code,
        year,
        value
    from {{ ref('int_industry_facts') }}
    where indicator = 'main_business_revenue' and industry_code = 'BCD'

),

comparisons as (

    select
        'io_value_added_vs_gdp' as check_name,
        io_totals.region_code,
        io_totals.year,
        'io_tables: value added, 42 sectors' as left_source,
        io_totals.value_added as left_value,
        'nbs_gdp: as_published' as right_source,
        gdp.gdp as right_value,
        {{ io_gdp[0] }} as lower_bound,
        {{ io_gdp[1] }} as upper_bound
    from io_totals
    inner join gdp
        on io_totals.region_code = gdp.province_code
            and io_totals.year = gdp.year
            and gdp.data_vintage = 'as_published'

    union all

    select
        'io_value_added_vs_gdp_revised' as check_name,
        io_totals.region_code,
        io_totals.year,
        'io_tables: value added, 42 sectors' as left_source,
        io_totals.value_added as left_value,
        'nbs_gdp: ' || gdp.data_vintage as right_source,
        gdp.gdp as right_value,
        null as lower_bound,
        null as upper_bound
    from io_totals
    inner join gdp
        on io_totals.region_code = gdp.province_code
            and io_totals.year = gdp.year
            and gdp.data_vintage <> 'as_published'

    union all

    select
        'revenue_vs_io_industry_output' as check_name,
        io_totals.region_code,
        io_totals.year,
        'wind_mbr: 合计 (above designated size)' as left_source,
        revenue.value as left_value,
        'io_tables: output of mining, manufacturing, utilities' as right_source,
        io_totals.industry_output as right_value,
        {{ rev_io[0] }} as lower_bound,
        {{ rev_io[1] }} as upper_bound
    from io_totals
    inner join revenue
        on io_totals.region_code = revenue.province_code
            and io_totals.year = revenue.year

    union all

    select
        'hightech_subtotal_vs_members' as check_name,
        group_code as region_code,
        year,
        'hightech: sum of member provinces, ' || indicator as left_source,
        sum_of_members as left_value,
        'hightech: printed subtotal' as right_source,
        printed_total as right_value,
        1 - rounding_tolerance / nullif(printed_total, 0) as lower_bound,
        1 + rounding_tolerance / nullif(printed_total, 0) as upper_bound
    from {{ ref('int_hightech_group') }}
    where printed_total is not null

)

select
    cast(check_name as string) as check_name,
    cast(region_code as string) as region_code,
    cast(year as integer) as year,
    cast(left_source as string) as left_source,
    cast(left_value as double) as left_value,
    cast(right_source as string) as right_source,
    cast(right_value as double) as right_value,
    cast(left_value / nullif(right_value, 0) as double) as ratio,
    cast(lower_bound as double) as lower_bound,
    cast(upper_bound as double) as upper_bound,
    cast(case
        when lower_bound is null then null
        else left_value / nullif(right_value, 0) between lower_bound - 1e-12 and upper_bound + 1e-12
    end as boolean) as within_band

from comparisons
