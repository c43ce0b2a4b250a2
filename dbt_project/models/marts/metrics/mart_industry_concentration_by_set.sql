-- Geographic concentration of each industry within its reference universe (metrics.md
-- "Industry"), with σ[i,k] = x[i,k]/X[k] a region's share of the industry and λ[i] its share of
-- the universe. One row per universe, industry, year and indicator.
with

shares as (

    select * from {{ ref('int_metric_shares') }}

),

per_industry as (

    select
        universe_code,
        industry_set,
        industry_code,
        year,
        indicator,
        count(*) as n_regions,
        count(industry_region_share) = count(*) as is_defined,
        sum(abs(industry_region_share - region_weight)) as krugman_concentration,
        sum(power(industry_region_share - region_weight, 2)) as raw_concentration,
        sum(power(industry_region_share, 2)) as herfindahl_regions,
        -- localization curve: regions by ascending LQ[·,k], cumulative σ against cumulative λ
        {% set by_lq = ['lq', 'province_code'] -%}
        {{ localization_curve_area_twice('region_weight', 'industry_region_share', by_lq) }}  -- noqa: PRS
            as curve_area_twice,
        -- the three largest σ[i,k], largest first, for the concentration ratios
        {{ largest_values('industry_region_share', 3) }} as largest_shares,
        {{ any_non_null('industry_universe_total') }} as industry_universe_total,
        {{ any_non_null('n_members') }} as n_members,
        {{ any_non_null('n_members_present') }} as n_members_present,
        {{ any_non_null('quarantine_reach') }} as quarantine_reach

    from shares
    group by universe_code, industry_set, industry_code, year, indicator

)

select
    cast(universe_code as string) as universe_code,
    cast(industry_set as string) as industry_set,
    cast(industry_code as string) as industry_code,
    cast(year as integer) as year,
    cast(indicator as string) as indicator,
    -- Hoover localization coefficient ½ Σi |σ[i,k] − λ[i]|
    cast(case when is_defined then krugman_concentration / 2 end as double) as hoover_localization,
    cast(case when is_defined then krugman_concentration end as double) as krugman_concentration,
    -- locational Gini, full scale: twice the area between the localization curve and the diagonal
    cast(case when is_defined then 1 - curve_area_twice end as double) as locational_gini,
    cast(case when is_defined then {{ list_head_sum('largest_shares', 1) }} end as double) as cr1,
    cast(case when is_defined then {{ list_head_sum('largest_shares', 2) }} end as double) as cr2,
    cast(case when is_defined then {{ list_head_sum('largest_shares', 3) }} end as double) as cr3,
    cast(case when is_defined then raw_concentration end as double) as raw_concentration,
    cast(case when is_defined then herfindahl_regions end as double) as herfindahl_regions,
    cast(industry_universe_total as double) as industry_universe_total,
    cast(n_regions as integer) as n_regions,
    cast(n_members as integer) as n_members,
    cast(n_members_present as integer) as n_members_present,
    cast(n_members_present = n_members as boolean) as is_universe_complete,
    cast(quarantine_reach as string) as quarantine_reach,
    cast(case when not is_defined then 'zero_industry_total' end as string) as null_reason

from per_industry
