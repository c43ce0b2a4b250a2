-- How concentrated or diverse each province's industry structure is, within its reference
-- universe (metrics.md "Region"). One row per universe, province, year and indicator.
with

shares as (

    select * from {{ ref('int_metric_shares') }}

),

per_region as (

    select
        universe_code,
        industry_set,
        province_code,
        year,
        indicator,
        count(*) as n_industries,
        count(region_industry_share) = count(*) as is_defined,
        sum(power(region_industry_share, 2)) as herfindahl,
        -- Shannon entropy, natural log, 0·ln 0 = 0
        -sum(case when region_industry_share > 0 then region_industry_share * ln(region_industry_share) else 0 end)
            as shannon_entropy,
        -- relative Theil (Theil T / Kullback-Leibler form): Σk s[i,k]·ln(s[i,k]/S[k])
        sum(case when region_industry_share > 0
                then region_industry_share * ln(region_industry_share / universe_industry_share)
            else 0
        end)
            as relative_theil,
        sum(region_industry_share * lq) as average_lq,
        avg(lq) as mean_lq,
        -- Σ R·LQ with R the rank of LQ[i,k] among the region's industries, ascending (ties do not
        -- change it); an industry whose LQ is null ranks last, as it adds no term
        {{ rank_weighted_sum('lq') }} as rank_weighted_lq_sum,  -- noqa: PRS
        count(*) * (count(*) + 1) / 2 as rank_sum,
        count(*) filter (where lq >= {{ var('lq_binary_threshold') }}) as n_specialised_industries,
        {{ any_non_null('coverage') }} as coverage,
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
    cast(case when is_defined then herfindahl end as double) as herfindahl,
    -- (H − 1/n) / (1 − 1/n); undefined for a single industry
    cast(case when is_defined and n_industries > 1
            then (herfindahl - 1.0 / n_industries) / (1 - 1.0 / n_industries)
    end as double) as herfindahl_normalised,
    cast(case when is_defined then shannon_entropy end as double) as shannon_entropy,
    cast(case when is_defined then relative_theil end as double) as relative_theil,
    -- Hachman = 1 / Σk s[i,k]·LQ[i,k]
    cast(case when is_defined then 1 / nullif(average_lq, 0) end as double) as hachman,
    -- specialization Gini: 2/(n²·R̄)·Σλ λ·(R(λ) − R̄) with R the ascending LQs, R̄ their mean;
    -- Σλ λ·(R(λ) − R̄) = Σ λ·R(λ) − R̄·Σ λ
    cast(case when is_defined and mean_lq > 0
            then 2.0 / (n_industries * n_industries * mean_lq) * (rank_weighted_lq_sum - mean_lq * rank_sum)
    end
    as double) as specialization_gini,
    cast(case when is_defined then n_specialised_industries end as integer) as n_specialised_industries,
    cast(n_industries as integer) as n_industries,
    cast(coverage as double) as coverage,
    cast(n_members as integer) as n_members,
    cast(n_members_present as integer) as n_members_present,
    cast(n_members_present = n_members as boolean) as is_universe_complete,
    cast(quarantine_reach as string) as quarantine_reach,
    cast(case when not is_defined then 'zero_region_total' end as string) as null_reason

from per_region
