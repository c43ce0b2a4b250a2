-- Shares that partition a whole sum to 1 within 1e-9: intensity classes per province-year, and
-- s[i,k] over k, S[k] over k and λ[i] over i per universe-year.
with

intensity as (

    select
        'intensity classes of ' || province_code || ' ' || year as whole,
        sum(share) as total
    from {{ ref('mart_intensity_shares') }}
    where manufacturing_value > 0
    group by province_code, year, indicator

),

region_shares as (

    select
        'industry shares of ' || universe_code || ' ' || industry_set || '/' || province_code || ' ' || year as whole,
        sum(region_industry_share) as total
    from {{ ref('mart_location_quotient_by_set') }}
    where null_reason is null
    group by universe_code, industry_set, province_code, year, indicator

),

universe_shares as (

    select
        'industry shares of universe ' || universe_code || ' ' || industry_set || ' ' || year as whole,
        sum(universe_industry_share) / count(distinct province_code) as total
    from {{ ref('mart_location_quotient_by_set') }}
    group by universe_code, industry_set, year, indicator

),

region_weights as (

    select
        'region weights of ' || universe_code || ' ' || industry_set || ' ' || year as whole,
        sum(region_weight) as total
    from {{ ref('mart_specialization_relative_by_set') }}
    group by universe_code, industry_set, year, indicator

)

select * from intensity
where abs(total - 1) > 1e-9
union all
select * from region_shares
where abs(total - 1) > 1e-9
union all
select * from universe_shares
where abs(total - 1) > 1e-9
union all
select * from region_weights
where abs(total - 1) > 1e-9
