-- Classic (Dunn) shift-share of each province's change between any two years, within its
-- reference universe: national share NS = Σk x[i,k,t0]·g, industry mix IM = Σk x[i,k,t0]·(g[k] − g),
-- regional share RS = Σk x[i,k,t0]·(g[i,k] − g[k]), with g the universe's total growth and g[k]
-- industry k's. NS + IM + RS = Δx[i] exactly.
--
-- The two years are compared on what both share: members with data in both years and the
-- industries of both years' common support. x·g[i,k] is written x1 − x0, so a zero base needs no
-- division; an industry absent from the universe at t0 has x0·g[k] = 0.
with

input as (

    select * from {{ ref('int_metric_input') }}

),

paired as (

    select
        t0.universe_code,
        t0.indicator,
        t0.province_code,
        t0.industry_code,
        t0.year as base_year,
        t1.year,
        t0.value as base_value,
        t1.value as value,
        t0.source_vintage <> t1.source_vintage as crosses_classification_break,
        t1.manufacturing_total,
        t1.n_members

    from input as t0
    inner join input as t1
        on t1.universe_code = t0.universe_code
        and t1.indicator = t0.indicator
        and t1.province_code = t0.province_code
        and t1.industry_code = t0.industry_code
        and t1.year > t0.year

),

industry_growth as (

    select
        universe_code, indicator, base_year, year, industry_code,
        sum(base_value) as base_industry_total,
        sum(value) as industry_total

    from paired
    group by universe_code, indicator, base_year, year, industry_code

),

universe_growth as (

    select
        universe_code, indicator, base_year, year,
        (sum(industry_total) - sum(base_industry_total)) / nullif(sum(base_industry_total), 0) as universe_growth,
        count(*) as n_industries

    from industry_growth
    group by universe_code, indicator, base_year, year

),

terms as (

    select
        paired.*,
        universe_growth.universe_growth,
        universe_growth.n_industries,
        -- x[i,k,t0]·g[k]
        case when industry_growth.base_industry_total > 0
            then paired.base_value * (industry_growth.industry_total - industry_growth.base_industry_total)
                / industry_growth.base_industry_total
            else 0
        end as base_times_industry_growth

    from paired
    inner join industry_growth using (universe_code, indicator, base_year, year, industry_code)
    inner join universe_growth using (universe_code, indicator, base_year, year)

),

per_region as (

    select
        universe_code, province_code, indicator, base_year, year,
        sum(base_value) as base_region_total,
        sum(value) as region_total,
        sum(base_value) * any_value(universe_growth) as national_share,
        sum(base_times_industry_growth) - sum(base_value) * any_value(universe_growth) as industry_mix,
        sum(value - base_value) - sum(base_times_industry_growth) as regional_share,
        any_value(universe_growth) as universe_growth,
        any_value(n_industries) as n_industries,
        bool_or(crosses_classification_break) as crosses_classification_break,
        any_value(n_members) as n_members,
        count(distinct industry_code) as n_region_industries

    from terms
    group by universe_code, province_code, indicator, base_year, year

),

members_in_both as (

    select universe_code, indicator, base_year, year, count(*) as n_members_present
    from per_region
    group by universe_code, indicator, base_year, year

)

select
    cast(universe_code as varchar) as universe_code,
    cast(province_code as varchar) as province_code,
    cast(indicator as varchar) as indicator,
    cast(base_year as integer) as base_year,
    cast(year as integer) as year,
    cast(year - base_year as integer) as span_years,
    cast(base_region_total as double) as base_value,
    cast(region_total as double) as value,
    cast(region_total - base_region_total as double) as change,
    cast(national_share as double) as national_share,
    cast(industry_mix as double) as industry_mix,
    cast(regional_share as double) as regional_share,
    cast(industry_mix + regional_share as double) as net_total_shift,
    cast(universe_growth as double) as universe_growth,
    cast(n_industries as integer) as n_industries,
    cast(n_members as integer) as n_members,
    cast(n_members_present as integer) as n_members_present,
    cast(n_members_present = n_members as boolean) as is_universe_complete,
    cast(crosses_classification_break as boolean) as crosses_classification_break,
    cast(case when universe_growth is null then 'zero_base_total' end as varchar) as null_reason

from per_region
inner join members_in_both using (universe_code, indicator, base_year, year)
