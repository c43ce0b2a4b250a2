with

quotients as (

    select * from {{ ref('int_metric_shares') }}

)

select
    cast(universe_code as string) as universe_code,
    cast(industry_set as string) as industry_set,
    cast(province_code as string) as province_code,
    cast(industry_code as string) as industry_code,
    cast(year as integer) as year,
    cast(indicator as string) as indicator,
    cast(lq as double) as lq,
    cast(lq >= {{ var('lq_binary_threshold') }} as boolean) as is_specialised,
    cast({{ var('lq_binary_threshold') }} as double) as lq_threshold,
    cast((lq - 1) / (lq + 1) as double) as lq_symmetric,
    cast(value as double) as value,
    cast(region_industry_share as double) as region_industry_share,
    cast(universe_industry_share as double) as universe_industry_share,
    cast(region_weight as double) as region_weight,
    cast(n_industries as integer) as n_industries,
    cast(coverage as double) as coverage,
    cast(n_members as integer) as n_members,
    cast(n_members_present as integer) as n_members_present,
    cast(n_members_present = n_members as boolean) as is_universe_complete,
    cast(quarantine_reach as string) as quarantine_reach,
    cast(case
        when region_total = 0 then 'zero_region_total'
        when industry_universe_total = 0 then 'zero_industry_total'
    end as string) as null_reason

from quotients
