-- metrics.md: Σi λ[i]·LQ[i,k] = 1 for every k, and Σk S[k]·LQ[i,k] = 1 for every i,
-- per universe-year, within 1e-9 relative.
with

lq as (

    select * from {{ ref('mart_location_quotient_by_set') }}
    where lq is not null

),

by_industry as (

    select
        universe_code,
        industry_set,
        year,
        indicator,
        'industry ' || industry_code as identity_for,
        sum(region_weight * lq) as identity_sum
    from lq
    group by universe_code, industry_set, year, indicator, industry_code

),

by_region as (

    select
        universe_code,
        industry_set,
        year,
        indicator,
        'region ' || province_code as identity_for,
        sum(universe_industry_share * lq) as identity_sum
    from lq
    group by universe_code, industry_set, year, indicator, province_code

)

select * from by_industry
where abs(identity_sum - 1) > 1e-9
union all
select * from by_region
where abs(identity_sum - 1) > 1e-9
