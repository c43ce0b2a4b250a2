-- Region-group totals per industry, year and indicator, with the group's share of the nation
-- (Σ over the 31 provinces of group national) where both totals are complete.
with

totals as (

    select * from {{ ref('int_group_totals') }}

),

nation as (

    select
        industry_code,
        year,
        indicator,
        group_total as national_total,
        is_complete as is_national_complete
    from totals
    where group_code = 'national'

)

select
    cast(totals.group_code as string) as group_code,
    cast(totals.industry_code as string) as industry_code,
    cast(totals.year as integer) as year,
    cast(totals.indicator as string) as indicator,
    cast(totals.unit as string) as unit,
    cast(totals.group_total as double) as group_total,
    cast(totals.n_members as integer) as n_members,
    cast(totals.n_members_present as integer) as n_members_present,
    cast(totals.is_complete as boolean) as is_complete,
    cast(totals.members_without_value as {{ type_string_list() }}) as members_without_value,
    cast(nation.national_total as double) as national_total,
    cast(case
        when totals.is_complete and nation.is_national_complete
            then totals.group_total / nullif(nation.national_total, 0)
    end as double) as national_share,
    cast(totals.is_derived_total as boolean) as is_derived_total,
    cast(totals.source_vintages as string) as source_vintages,
    cast(case
        when not totals.is_complete then 'group_incomplete'
        when nation.national_total is null or not nation.is_national_complete then 'nation_incomplete'
        when nation.national_total = 0 then 'zero_national_total'
    end as string) as null_reason

from totals
left join nation using (industry_code, year, indicator)
