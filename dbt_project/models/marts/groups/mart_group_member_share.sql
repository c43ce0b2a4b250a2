-- Each member's share of its region group's total, per industry, year and indicator (the
-- provincial shares of a group). Null, with a reason, when the group total is incomplete.
with

series as (

    select * from {{ ref('int_industry_series') }}
    where value is not null

),

totals as (

    select * from {{ ref('int_group_totals') }}

)

select
    cast(totals.group_code as string) as group_code,
    cast(series.province_code as string) as province_code,
    cast(totals.industry_code as string) as industry_code,
    cast(totals.year as integer) as year,
    cast(totals.indicator as string) as indicator,
    cast(series.value as double) as value,
    cast(totals.group_total as double) as group_total,
    cast(case when totals.is_complete then series.value / nullif(totals.group_total, 0) end as double)
        as share_of_group,
    cast(totals.is_complete as boolean) as is_group_complete,
    cast(series.is_derived_total as boolean) as is_derived_total,
    cast(case
        when not totals.is_complete then 'group_incomplete'
        when totals.group_total = 0 then 'zero_group_total'
    end as string) as null_reason

from totals
inner join {{ ref('int_region_group_member') }} as members using (group_code)
inner join series
    on members.province_code = series.province_code
        and totals.industry_code = series.industry_code
        and totals.year = series.year
        and totals.indicator = series.indicator
