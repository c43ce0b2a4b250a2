-- The shares every region x industry metric is built from (notation of metrics.md), defined
-- once here. A zero denominator gives null, never 0 or a division error.
--
-- Totals are aggregated in two levels (cells -> region totals -> universe total) so that
-- X = Σi X[i] holds in floating point too: λ[i] never exceeds 1, and a one-member universe has
-- λ = 1 exactly. The rest of the group is null when it is empty or vanishes (its total within
-- 1e-12 of the universe's), where X − X[i] would only be rounding noise.
with

input as {{ cte_not_materialized() }} (

    select * from {{ ref('int_metric_input') }}

),

region_totals as (

    select
        universe_code,
        industry_set,
        year,
        indicator,
        province_code,
        sum(value) as region_total  -- X[i]
    from input
    group by universe_code, industry_set, year, indicator, province_code

),

industry_totals as (

    select
        universe_code,
        industry_set,
        year,
        indicator,
        industry_code,
        sum(value) as industry_universe_total  -- X[k]
    from input
    group by universe_code, industry_set, year, indicator, industry_code

),

universe_totals as (

    select
        universe_code,
        industry_set,
        year,
        indicator,
        sum(region_total) as universe_total  -- X
    from region_totals
    group by universe_code, industry_set, year, indicator

),

joined as (

    select
        input.*,
        region_totals.region_total,
        industry_totals.industry_universe_total,
        universe_totals.universe_total,
        case
            when universe_totals.universe_total - region_totals.region_total
                > 1e-12 * universe_totals.universe_total
                then universe_totals.universe_total - region_totals.region_total
        end as rest_total  -- Σk r[i,k]

    from input
    inner join region_totals using (universe_code, industry_set, year, indicator, province_code)
    inner join industry_totals using (universe_code, industry_set, year, indicator, industry_code)
    inner join universe_totals using (universe_code, industry_set, year, indicator)

),

shares as (

    select
        *,
        value / nullif(region_total, 0) as region_industry_share,                        -- s[i,k]
        industry_universe_total / nullif(universe_total, 0) as universe_industry_share,  -- S[k]
        region_total / nullif(universe_total, 0) as region_weight,                       -- λ[i]
        value / nullif(industry_universe_total, 0) as industry_region_share,             -- σ[i,k]
        -- s̄[i,k]: industry k's share of the pooled rest of the group; r[i,k] is clamped at 0
        -- because X[k] − x[i,k] can come out a rounding error below it
        greatest(industry_universe_total - value, 0) / rest_total as rest_industry_share,
        region_total / nullif(manufacturing_total, 0) as coverage

    from joined

)

select
    *,
    -- LQ[i,k] = s[i,k] / S[k]
    {{ location_quotient('value', 'region_total', 'industry_universe_total', 'universe_total') }} as lq

from shares
