with

shares as (

    select * from {{ ref('int_metric_shares') }}

),

pairs as (

    select
        a.universe_code,
        a.province_code,
        b.province_code as partner_province_code,
        a.year,
        a.indicator,
        -- K[i,j] = Σk |s[i,k] − s[j,k]|
        case when count(a.region_industry_share) = count(*) and count(b.region_industry_share) = count(*)
            then sum(abs(a.region_industry_share - b.region_industry_share)) end as krugman_bilateral,
        -- UNIDO structural similarity: Σk s[i,k]s[j,k] / sqrt(Σk s[i,k]² · Σk s[j,k]²)
        case when count(a.region_industry_share) = count(*) and count(b.region_industry_share) = count(*)
            then sum(a.region_industry_share * b.region_industry_share)
                / sqrt(sum(a.region_industry_share ^ 2) * sum(b.region_industry_share ^ 2)) end
            as structural_similarity,
        any_value(a.n_industries) as n_industries,
        any_value(a.coverage) as coverage,
        any_value(b.coverage) as partner_coverage,
        any_value(a.n_members) as n_members,
        any_value(a.n_members_present) as n_members_present

    from shares as a
    inner join shares as b
        on b.universe_code = a.universe_code
        and b.year = a.year
        and b.indicator = a.indicator
        and b.industry_code = a.industry_code
    group by a.universe_code, a.province_code, b.province_code, a.year, a.indicator

)

select
    cast(universe_code as varchar) as universe_code,
    cast(province_code as varchar) as province_code,
    cast(partner_province_code as varchar) as partner_province_code,
    cast(year as integer) as year,
    cast(indicator as varchar) as indicator,
    cast(krugman_bilateral as double) as krugman_bilateral,
    cast(structural_similarity as double) as structural_similarity,
    cast(n_industries as integer) as n_industries,
    cast(coverage as double) as coverage,
    cast(partner_coverage as double) as partner_coverage,
    cast(n_members_present = n_members as boolean) as is_universe_complete

from pairs
