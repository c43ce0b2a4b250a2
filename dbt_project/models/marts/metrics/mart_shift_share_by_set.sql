-- Classic (Dunn) shift-share of each province's change between any two years, within its
-- reference universe: national share NS = Σk x[i,k,t0]·g, industry mix IM = Σk x[i,k,t0]·(g[k] − g),
-- regional share RS = Σk x[i,k,t0]·(g[i,k] − g[k]), with g the universe's total growth and g[k]
-- industry k's. NS + IM + RS = Δx[i] exactly.
--
-- The two years are compared on what both share: the members with data in both years and the
-- industries of both years' common support. Written without per-industry division by the
-- region's own base, so a zero base needs none:
--     Σk x0·g[k] = Σk x0[i,k]·X1[k]/X0[k] − Σk x0[i,k]      (0 for an industry with X0[k] = 0)
--     NS = B·g,  IM = Σk x0·g[k] − B·g,  RS = (V − B) − Σk x0·g[k]
-- with B and V the region's totals over the compared industries at t0 and t1.
--
-- For speed at scale (hundreds of regions and years) the Σk terms are inner products of vectors,
-- one per region-year, instead of a join of every region-industry row with every later year.
-- Every member present in a year has that year's common industries, so a region-year's vector
-- is its values in industry-code order; a year pair's vectors follow the base year's order (and
-- the end year's for the end values), with 0 for industries missing from the other year.
with

input as {{ cte_not_materialized() }} (

    select * from {{ ref('int_metric_input') }}

),

region_years as (

    select distinct
        universe_code,
        industry_set,
        indicator,
        year,
        province_code,
        source_vintage
    from input

),

years as (

    select distinct
        universe_code,
        industry_set,
        indicator,
        year
    from input

),

year_pairs as (

    select
        t0.universe_code,
        t0.industry_set,
        t0.indicator,
        t0.year as base_year,
        t1.year
    from years as t0
    inner join years as t1
        on {{ same_universe_set_indicator('t0', 't1') }}
            and t0.year < t1.year

),

-- members with data in both years, and those in only one (whose values leave the industry totals)
pair_members as (

    select
        year_pairs.*,
        t0.province_code,
        t0.source_vintage <> t1.source_vintage as crosses_classification_break
    from year_pairs
    inner join region_years as t0
        on {{ same_universe_set_indicator('year_pairs', 't0') }}
            and year_pairs.base_year = t0.year
    inner join region_years as t1
        on {{ same_universe_set_indicator('year_pairs', 't1') }}
            and year_pairs.year = t1.year and t0.province_code = t1.province_code

),

pair_outsiders as (

    select
        year_pairs.universe_code,
        year_pairs.industry_set,
        year_pairs.indicator,
        year_pairs.base_year,
        year_pairs.year,
        region_years.year as outsider_year,
        region_years.province_code
    from year_pairs
    inner join region_years
        on {{ same_universe_set_indicator('year_pairs', 'region_years') }}
            and region_years.year in (year_pairs.base_year, year_pairs.year)
    anti join pair_members
        on {{ same_universe_set_indicator('year_pairs', 'pair_members') }}
            and year_pairs.base_year = pair_members.base_year
            and year_pairs.year = pair_members.year
            and region_years.province_code = pair_members.province_code

),

industry_years as (

    select
        universe_code,
        industry_set,
        indicator,
        year,
        industry_code,
        sum(value) as industry_total
    from input
    group by universe_code, industry_set, indicator, year, industry_code

),

outsider_values as (

    select
        pair_outsiders.universe_code,
        pair_outsiders.industry_set,
        pair_outsiders.indicator,
        pair_outsiders.base_year,
        pair_outsiders.year,
        input.industry_code,
        sum(input.value) filter (where pair_outsiders.outsider_year = pair_outsiders.base_year) as base_outside,
        sum(input.value) filter (where pair_outsiders.outsider_year = pair_outsiders.year) as outside
    from pair_outsiders
    inner join input
        on {{ same_universe_set_indicator('pair_outsiders', 'input') }}
            and pair_outsiders.outsider_year = input.year
            and pair_outsiders.province_code = input.province_code
    group by all

),

-- X0[k], X1[k] over the members of both years, for the industries of both years
pair_industries as (

    select
        year_pairs.universe_code,
        year_pairs.industry_set,
        year_pairs.indicator,
        year_pairs.base_year,
        year_pairs.year,
        t0.industry_code,
        t0.industry_total - coalesce(outsider_values.base_outside, 0) as base_industry_total,
        t1.industry_total - coalesce(outsider_values.outside, 0) as industry_total
    from year_pairs
    inner join industry_years as t0
        on {{ same_universe_set_indicator('year_pairs', 't0') }}
            and year_pairs.base_year = t0.year
    inner join industry_years as t1
        on {{ same_universe_set_indicator('year_pairs', 't1') }}
            and year_pairs.year = t1.year and t0.industry_code = t1.industry_code
    left join outsider_values
        on {{ same_universe_set_indicator('year_pairs', 'outsider_values') }}
            and year_pairs.base_year = outsider_values.base_year
            and year_pairs.year = outsider_values.year
            and t0.industry_code = outsider_values.industry_code

),

-- per year pair: growth ratio X1/X0 and an inclusion mask in the base year's industry order, and
-- an inclusion mask in the end year's order
pair_vectors as (

    select
        year_pairs.universe_code,
        year_pairs.industry_set,
        year_pairs.indicator,
        year_pairs.base_year,
        year_pairs.year,
        {{ ordered_list(
            'coalesce(case when pair_industries.base_industry_total > 0'
            ~ ' then pair_industries.industry_total / pair_industries.base_industry_total end, 0)',
            'base_industries.industry_code'
        ) }} as growth_ratio,
        {{ ordered_list(
            'case when pair_industries.industry_code is not null then 1.0 else 0.0 end',
            'base_industries.industry_code'
        ) }} as included_at_base,
        sum(pair_industries.base_industry_total) as base_universe_total,
        sum(pair_industries.industry_total) as universe_total,
        count(pair_industries.industry_code) as n_industries
    from year_pairs
    inner join industry_years as base_industries
        on {{ same_universe_set_indicator('year_pairs', 'base_industries') }}
            and year_pairs.base_year = base_industries.year
    left join pair_industries
        on {{ same_universe_set_indicator('year_pairs', 'pair_industries') }}
            and year_pairs.base_year = pair_industries.base_year
            and year_pairs.year = pair_industries.year
            and base_industries.industry_code = pair_industries.industry_code
    group by all

),

end_masks as (

    select
        year_pairs.universe_code,
        year_pairs.industry_set,
        year_pairs.indicator,
        year_pairs.base_year,
        year_pairs.year,
        {{ ordered_list(
            'case when base_industries.industry_code is not null then 1.0 else 0.0 end',
            'end_industries.industry_code'
        ) }} as included_at_end
    from year_pairs
    inner join industry_years as end_industries
        on {{ same_universe_set_indicator('year_pairs', 'end_industries') }}
            and year_pairs.year = end_industries.year
    left join industry_years as base_industries
        on {{ same_universe_set_indicator('year_pairs', 'base_industries') }}
            and year_pairs.base_year = base_industries.year
            and end_industries.industry_code = base_industries.industry_code
    group by all

),

-- per region-year: its values over that year's industries, in industry-code order
region_vectors as (

    select
        universe_code,
        industry_set,
        indicator,
        year,
        province_code,
        {{ ordered_list('value', 'industry_code') }} as region_values
    from input
    group by universe_code, industry_set, indicator, year, province_code

),

per_region as (

    select
        pair_members.universe_code,
        pair_members.industry_set,
        pair_members.province_code,
        pair_members.indicator,
        pair_members.base_year,
        pair_members.year,
        pair_members.crosses_classification_break,
        pair_vectors.n_industries,
        (pair_vectors.universe_total - pair_vectors.base_universe_total)
        / nullif(pair_vectors.base_universe_total, 0) as universe_growth,
        {{ list_inner_product('v0.region_values', 'pair_vectors.included_at_base') }} as base_region_total, -- B
        {{ list_inner_product('v1.region_values', 'end_masks.included_at_end') }} as region_total, -- V
        {{ list_inner_product('v0.region_values', 'pair_vectors.growth_ratio') }} as base_times_ratio -- Σk x0·X1/X0
    from pair_members
    inner join pair_vectors
        on {{ same_universe_set_indicator('pair_members', 'pair_vectors') }}
            and pair_members.base_year = pair_vectors.base_year
            and pair_members.year = pair_vectors.year
    inner join end_masks
        on {{ same_universe_set_indicator('pair_members', 'end_masks') }}
            and pair_members.base_year = end_masks.base_year
            and pair_members.year = end_masks.year
    inner join region_vectors as v0
        on {{ same_universe_set_indicator('pair_members', 'v0') }}
            and pair_members.base_year = v0.year and pair_members.province_code = v0.province_code
    inner join region_vectors as v1
        on {{ same_universe_set_indicator('pair_members', 'v1') }}
            and pair_members.year = v1.year and pair_members.province_code = v1.province_code

),

-- Breaks the pair spans: the known ones, and the detected level shifts of any member in both
-- years (a shift in one member moves the universe's growth rates, so every row of the pair
-- names it).
known_breaks as (

    select
        year_pairs.universe_code,
        year_pairs.industry_set,
        year_pairs.indicator,
        year_pairs.base_year,
        year_pairs.year,
        breaks.break_code
    from year_pairs
    inner join {{ ref('int_series_break') }} as breaks
        on year_pairs.indicator = breaks.indicator
            and year_pairs.base_year < breaks.first_year and year_pairs.year >= breaks.first_year
    where breaks.province_code is null

),

member_breaks as (

    select
        pair_members.universe_code,
        pair_members.industry_set,
        pair_members.indicator,
        pair_members.base_year,
        pair_members.year,
        breaks.break_code
    from pair_members
    inner join {{ ref('int_series_break') }} as breaks
        on pair_members.indicator = breaks.indicator
            and pair_members.province_code = breaks.province_code
            and pair_members.base_year < breaks.first_year and pair_members.year >= breaks.first_year

),

pair_breaks as (

    select
        universe_code,
        industry_set,
        indicator,
        base_year,
        year,
        {{ ordered_string_agg('break_code', "', '", distinct=true) }} as series_breaks
    from (
        select * from known_breaks
        union all
        select * from member_breaks
    ) as spanned
    group by universe_code, industry_set, indicator, base_year, year

),

members_in_both as (

    select
        universe_code,
        industry_set,
        indicator,
        base_year,
        year,
        count(*) as n_members_present
    from pair_members
    group by universe_code, industry_set, indicator, base_year, year

),

group_sizes as (

    select
        universe_code,
        industry_set,
        max(n_members) as n_members
    from input
    group by universe_code, industry_set

),

components as (

    select
        *,
        base_times_ratio - base_region_total as base_times_industry_growth   -- Σk x0·g[k]
    from per_region

)

select
    cast(universe_code as string) as universe_code,
    cast(industry_set as string) as industry_set,
    cast(province_code as string) as province_code,
    cast(indicator as string) as indicator,
    cast(base_year as integer) as base_year,
    cast(year as integer) as year,
    cast(year - base_year as integer) as span_years,
    cast(base_region_total as double) as base_value,
    cast(region_total as double) as value,
    cast(region_total - base_region_total as double) as change,
    cast(base_region_total * universe_growth as double) as national_share,
    cast(base_times_industry_growth - base_region_total * universe_growth as double) as industry_mix,
    cast((region_total - base_region_total) - base_times_industry_growth as double) as regional_share,
    cast((region_total - base_region_total) - base_region_total * universe_growth as double) as net_total_shift,
    cast(universe_growth as double) as universe_growth,
    cast(n_industries as integer) as n_industries,
    cast(n_members as integer) as n_members,
    cast(n_members_present as integer) as n_members_present,
    cast(n_members_present = n_members as boolean) as is_universe_complete,
    cast(crosses_classification_break as boolean) as crosses_classification_break,
    cast(case when universe_growth is null then 'zero_base_total' end as string) as null_reason,
    cast(pair_breaks.series_breaks is not null as boolean) as crosses_series_break,
    cast(pair_breaks.series_breaks as string) as series_breaks

from components
inner join members_in_both using (universe_code, industry_set, indicator, base_year, year)
inner join group_sizes using (universe_code, industry_set)
left join pair_breaks using (universe_code, industry_set, indicator, base_year, year)
