with

metric_shares as {{ cte_not_materialized() }} (

    select * from {{ ref('int_metric_shares') }}

),

share_sums as (

    select
        universe_code,
        industry_set,
        year,
        indicator,
        industry_code,
        sum(region_industry_share) as sum_region_shares
    from metric_shares
    group by universe_code, industry_set, year, indicator, industry_code

),

shares as (

    select
        metric_shares.*,
        -- mean over the other members j ≠ i of s[j,k] (REAT krugman.spec2's reference)
        case when metric_shares.n_members_present > 1 then
                (share_sums.sum_region_shares - metric_shares.region_industry_share)
                / (metric_shares.n_members_present - 1)
        end as mean_other_region_share

    from metric_shares
    inner join share_sums using (universe_code, industry_set, year, indicator, industry_code)

),

per_region as (

    select
        universe_code,
        industry_set,
        province_code,
        year,
        indicator,
        -- K[i] = Σk |s[i,k] − S[k]|; null if any term is null rather than a sum over fewer terms
        case when count(region_industry_share) = count(*)
                then sum(abs(region_industry_share - universe_industry_share))
        end as krugman_vs_universe,
        -- Krel[i] = Σk |s[i,k] − s̄[i,k]|, rest of group pooled
        case when count(rest_industry_share) = count(*) and count(region_industry_share) = count(*)
                then sum(abs(region_industry_share - rest_industry_share))
        end as krugman_vs_rest,
        -- Σk |s[i,k] − mean_{j≠i} s[j,k]|, unweighted mean of the other members' shares
        case when count(mean_other_region_share) = count(*) and count(region_industry_share) = count(*)
                then sum(abs(region_industry_share - mean_other_region_share))
        end as krugman_vs_mean_others,
        {{ any_non_null('region_weight') }} as region_weight,
        {{ any_non_null('region_total') }} as region_total,
        {{ any_non_null('coverage') }} as coverage,
        {{ any_non_null('n_industries') }} as n_industries,
        {{ any_non_null('n_members') }} as n_members,
        {{ any_non_null('n_members_present') }} as n_members_present,
        {{ any_non_null('quarantine_reach') }} as quarantine_reach

    from shares
    group by universe_code, industry_set, province_code, year, indicator

)

select
    cast(universe_code as string) as universe_code,
    cast(industry_set as string) as industry_set,
    cast(province_code as string) as province_code,
    cast(year as integer) as year,
    cast(indicator as string) as indicator,
    cast(krugman_vs_universe as double) as krugman_vs_universe,
    cast(krugman_vs_rest as double) as krugman_vs_rest,
    cast(krugman_vs_mean_others as double) as krugman_vs_mean_others,
    cast(krugman_vs_universe / 2 as double) as hoover_specialization,
    cast(krugman_vs_rest / 2 as double) as hoover_specialization_vs_rest,
    cast(region_weight as double) as region_weight,
    cast(region_total as double) as region_total,
    cast(n_industries as integer) as n_industries,
    cast(coverage as double) as coverage,
    cast(n_members as integer) as n_members,
    cast(n_members_present as integer) as n_members_present,
    cast(n_members_present = n_members as boolean) as is_universe_complete,
    cast(quarantine_reach as string) as quarantine_reach,
    cast(case
        when region_total = 0 then 'zero_region_total'
        when krugman_vs_rest is null then 'no_rest_of_group'
    end as string) as null_reason

from per_region
