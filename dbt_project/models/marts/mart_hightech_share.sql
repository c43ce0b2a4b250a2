-- Each province's share of high-tech revenue within every region group it belongs to (the
-- nation, the NBS macro-regions, YRD, Jing-Jin-Ji, …): x[i] / Σ members x. The group total is
-- the sum of its members' values that year (printed subtotals are compared in
-- mart_hightech_group, never mixed in).
with

revenue as (

    select region_code as province_code, year, value, series_basis
    from {{ ref('fct_hightech_indicator') }}
    where indicator = 'hightech_revenue' and region_kind = 'province'

),

members as (

    select * from {{ ref('region_group_member') }}

),

group_sizes as (

    select group_code, count(*) as n_members from members group by group_code

),

in_groups as (

    select members.group_code, revenue.*
    from revenue
    inner join members
        on cast(members.province_code as varchar) = revenue.province_code

),

group_totals as (

    select group_code, year, sum(value) as group_revenue, count(value) as n_members_reporting
    from in_groups
    group by group_code, year

)

select
    cast(in_groups.group_code as varchar) as group_code,
    cast(in_groups.province_code as varchar) as province_code,
    cast(in_groups.year as integer) as year,
    cast(in_groups.series_basis as varchar) as series_basis,
    cast(in_groups.value as double) as revenue,
    cast(group_totals.group_revenue as double) as group_revenue,
    cast(in_groups.value / nullif(group_totals.group_revenue, 0) as double) as share_of_group,
    cast(group_sizes.n_members as integer) as n_members,
    cast(group_totals.n_members_reporting as integer) as n_members_reporting,
    cast(group_totals.n_members_reporting = group_sizes.n_members as boolean) as is_group_complete

from in_groups
inner join group_totals using (group_code, year)
inner join group_sizes using (group_code)
