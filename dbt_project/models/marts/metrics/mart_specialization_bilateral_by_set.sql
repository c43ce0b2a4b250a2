-- Region pairs within each universe-year: the inter-regional specialization index 地区间专业化指数
-- K[i,j] = Σk |s[i,k] − s[j,k]| and the UNIDO structural similarity coefficient 结构相似系数
-- Σk s[i,k]s[j,k] / sqrt(Σk s[i,k]² · Σk s[j,k]²). Both are symmetric, so each unordered pair
-- is computed once (i < j) and mirrored; the diagonal is K = 0 and similarity 1 by definition.
--
-- Each region-year's shares form one dense vector (every member of a universe-year has the same
-- industries, in industry-code order), so pairs are joined region by region, not industry row by
-- industry row: at scale this takes about half the time and a fraction of the memory of the
-- row-wise join (docs/benchmarks.md, "Every metric mart at scale").
with

shares as (

    select
        universe_code,
        industry_set,
        year,
        indicator,
        province_code,
        industry_code,
        region_industry_share,
        n_industries,
        coverage,
        n_members,
        n_members_present,
        quarantine_reach
    from {{ ref('int_metric_shares') }}

),

regions as (

    select
        universe_code,
        industry_set,
        year,
        indicator,
        province_code,
        {{ any_non_null('n_industries') }} as n_industries,
        {{ any_non_null('coverage') }} as coverage,
        {{ any_non_null('n_members') }} as n_members,
        {{ any_non_null('n_members_present') }} as n_members_present,
        {{ any_non_null('quarantine_reach') }} as quarantine_reach,
        count(region_industry_share) = count(*) as is_defined,
        sqrt(sum(power(region_industry_share, 2))) as share_norm,
        -- zeros where a share is undefined (zero region total); such pairs are nulled below
        {{ ordered_list('coalesce(region_industry_share, 0)', 'industry_code') }} as share_vector
    from shares
    group by universe_code, industry_set, year, indicator, province_code

),

upper_pairs as (

    -- n_industries, n_members, n_members_present and quarantine_reach are the universe-year's,
    -- the same on both sides of a pair; coverage is each region's own
    select
        a.universe_code,
        a.industry_set,
        a.year,
        a.indicator,
        a.province_code,
        b.province_code as partner_province_code,
        case
            when a.is_defined and b.is_defined
                then {{ list_l1_distance('a.share_vector', 'b.share_vector') }}  -- noqa: PRS, LT01
        end as krugman_bilateral,
        case
            when a.is_defined and b.is_defined
                then {{ list_inner_product('a.share_vector', 'b.share_vector') }} / (a.share_norm * b.share_norm)
        end as structural_similarity,
        a.n_industries,
        a.coverage,
        b.coverage as partner_coverage,
        a.n_members_present = a.n_members as is_universe_complete,
        a.quarantine_reach
    from regions as a
    inner join regions as b
        on a.universe_code = b.universe_code
            and a.industry_set = b.industry_set
            and a.year = b.year
            and a.indicator = b.indicator
            and a.province_code < b.province_code

),

-- each pair carries both regions' columns, so mirroring it needs no join back to the regions
all_pairs as (

    select
        universe_code,
        industry_set,
        year,
        indicator,
        province_code,
        partner_province_code,
        krugman_bilateral,
        structural_similarity,
        n_industries,
        coverage,
        partner_coverage,
        is_universe_complete,
        quarantine_reach
    from upper_pairs

    union all

    select
        universe_code,
        industry_set,
        year,
        indicator,
        partner_province_code as province_code,
        province_code as partner_province_code,
        krugman_bilateral,
        structural_similarity,
        n_industries,
        partner_coverage as coverage,
        coverage as partner_coverage,
        is_universe_complete,
        quarantine_reach
    from upper_pairs

    union all

    select
        universe_code,
        industry_set,
        year,
        indicator,
        province_code,
        province_code as partner_province_code,
        case when is_defined then 0.0 end as krugman_bilateral,
        case when is_defined then power(share_norm, 2) / (share_norm * share_norm) end as structural_similarity,
        n_industries,
        coverage,
        coverage as partner_coverage,
        n_members_present = n_members as is_universe_complete,
        quarantine_reach
    from regions

)

select
    cast(universe_code as string) as universe_code,
    cast(industry_set as string) as industry_set,
    cast(province_code as string) as province_code,
    cast(partner_province_code as string) as partner_province_code,
    cast(year as integer) as year,
    cast(indicator as string) as indicator,
    cast(krugman_bilateral as double) as krugman_bilateral,
    cast(structural_similarity as double) as structural_similarity,
    cast(n_industries as integer) as n_industries,
    cast(coverage as double) as coverage,
    cast(partner_coverage as double) as partner_coverage,
    cast(is_universe_complete as boolean) as is_universe_complete,
    cast(quarantine_reach as string) as quarantine_reach

from all_pairs
