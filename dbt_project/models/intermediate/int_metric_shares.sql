-- The shares every region x industry metric is built from (notation of metrics.md), defined
-- once here. A zero denominator gives null, never 0 or a division error.
with

input as (

    select * from {{ ref('int_metric_input') }}

),

totals as (

    select
        *,
        sum(value) over (partition by universe_code, year, indicator, province_code) as region_total,             -- X[i]
        sum(value) over (partition by universe_code, year, indicator, industry_code) as industry_universe_total,  -- X[k]
        sum(value) over (partition by universe_code, year, indicator) as universe_total                           -- X

    from input

)

select
    *,
    value / nullif(region_total, 0) as region_industry_share,                        -- s[i,k]
    industry_universe_total / nullif(universe_total, 0) as universe_industry_share,  -- S[k]
    region_total / nullif(universe_total, 0) as region_weight,                       -- λ[i]
    -- s̄[i,k]: industry k's share of the pooled rest of the group
    (industry_universe_total - value) / nullif(universe_total - region_total, 0) as rest_industry_share,
    region_total / nullif(manufacturing_total, 0) as coverage

from totals
