-- High-tech indicators by region group and year: the sum of the member provinces, the group's
-- share of the nation, and, for the nation and the NBS macro-regions, the subtotal the yearbook
-- prints and how far the members' sum is from it (a reconciliation the gates check).
with

facts as (

    select * from {{ ref('int_hightech_indicator') }}

),

members as (

    select
        group_code,
        cast(province_code as string) as province_code
    from {{ ref('int_region_group_member') }}

),

group_sizes as (

    select
        group_code,
        count(*) as n_members
    from members
    group by group_code

),

member_sums as (

    select
        members.group_code,
        facts.year,
        facts.indicator,
        {{ any_non_null('facts.unit') }} as unit,
        {{ any_non_null('facts.series_basis') }} as series_basis,
        sum(facts.value) as sum_of_members,
        count(facts.value) as n_members_reporting,
        min(facts.printed_decimals) as min_printed_decimals

    from facts
    inner join members
        on facts.region_code = members.province_code
    where facts.region_kind = 'province'
    group by members.group_code, facts.year, facts.indicator

),

printed as (

    select
        region_code as group_code,
        year,
        indicator,
        value as printed_total,
        printed_decimals
    from facts
    where region_kind in ('national', 'macro_region')

),

national as (

    select
        year,
        indicator,
        sum_of_members as national_sum
    from member_sums
    where group_code = 'national'

)

select
    cast(member_sums.group_code as string) as group_code,
    cast(member_sums.year as integer) as year,
    cast(member_sums.indicator as string) as indicator,
    cast(member_sums.unit as string) as unit,
    cast(member_sums.series_basis as string) as series_basis,
    cast(member_sums.sum_of_members as double) as sum_of_members,
    cast(group_sizes.n_members as integer) as n_members,
    cast(member_sums.n_members_reporting as integer) as n_members_reporting,
    cast(member_sums.sum_of_members / nullif(national.national_sum, 0) as double) as share_of_nation,
    cast(printed.printed_total as double) as printed_total,
    cast(member_sums.sum_of_members - printed.printed_total as double) as difference_from_printed,
    cast((member_sums.sum_of_members - printed.printed_total) / nullif(printed.printed_total, 0) as double)
        as relative_difference_from_printed,
    cast(rounding.tolerance as double) as rounding_tolerance,
    cast(abs(member_sums.sum_of_members - printed.printed_total) <= rounding.tolerance + 1e-9 as boolean)
        as reconciles_with_printed

from member_sums
inner join group_sizes using (group_code)
left join national using (year, indicator)
left join printed using (group_code, year, indicator)
-- every printed number is off by at most half a unit of its last decimal, the subtotal included
-- (a per-row expression, named once for the two columns above: a lateral subquery, not a CTE)
cross join lateral (  -- noqa: ST05
    select
        0.5 * (member_sums.n_members_reporting + 1)
        * pow(10, -least(member_sums.min_printed_decimals, printed.printed_decimals)) as tolerance
) as rounding
