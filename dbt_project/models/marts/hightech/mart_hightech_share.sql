-- Each province's share of high-tech revenue within every region group it belongs to (the
-- nation, the NBS macro-regions, YRD, Jing-Jin-Ji, …): x[i] / Σ members x, the group total
-- being mart_hightech_group's sum of its members that year (printed subtotals are compared
-- there, never mixed in).
with

revenue as (

    select
        region_code as province_code,
        year,
        value,
        series_basis
    from {{ ref('int_hightech_indicator') }}
    where indicator = 'hightech_revenue' and region_kind = 'province'

),

members as (

    select
        group_code,
        cast(province_code as string) as province_code
    from {{ ref('int_region_group_member') }}

),

groups as (

    select
        group_code,
        year,
        sum_of_members,
        n_members,
        n_members_reporting
    from {{ ref('int_hightech_group') }}
    where indicator = 'hightech_revenue'

)

select
    cast(members.group_code as string) as group_code,
    cast(revenue.province_code as string) as province_code,
    cast(revenue.year as integer) as year,
    cast(revenue.series_basis as string) as series_basis,
    cast(revenue.value as double) as revenue,
    cast(groups.sum_of_members as double) as group_revenue,
    cast(revenue.value / nullif(groups.sum_of_members, 0) as double) as share_of_group,
    cast(groups.n_members as integer) as n_members,
    cast(groups.n_members_reporting as integer) as n_members_reporting,
    cast(groups.n_members_reporting = groups.n_members as boolean) as is_group_complete

from revenue
inner join members using (province_code)
inner join groups
    on members.group_code = groups.group_code
        and revenue.year = groups.year
