-- Location quotient of high-tech industry within each reference universe (region group):
-- LQ = (high-tech revenue / industrial revenue of the province) / (the same for the universe),
-- industrial revenue being 规模以上工业 主营业务收入 合计 from the Wind panel (same enterprise
-- scope, same concept up to 2016). Universe sums run over the members with both values; years
-- are those both sources cover.
with

revenue as (

    select
        province_code,
        year,
        revenue as hightech_revenue,
        industry_revenue,
        series_basis
    from {{ ref('int_hightech_revenue') }}
    where revenue is not null and industry_revenue is not null

),

members as (

    select
        group_code as universe_code,
        cast(province_code as string) as province_code
    from {{ ref('int_region_group_member') }}

),

universe_sizes as (

    select
        universe_code,
        count(*) as n_members
    from members
    group by universe_code

),

in_universe as (

    select
        members.universe_code,
        revenue.*
    from revenue
    inner join members using (province_code)

),

universe_totals as (

    select
        universe_code,
        year,
        sum(hightech_revenue) as universe_hightech_revenue,
        sum(industry_revenue) as universe_industry_revenue,
        count(*) as n_members_present

    from in_universe
    group by universe_code, year

)

select
    cast(in_universe.universe_code as string) as universe_code,
    cast(in_universe.province_code as string) as province_code,
    cast(in_universe.year as integer) as year,
    cast(in_universe.series_basis as string) as series_basis,
    cast({{ location_quotient(
        'in_universe.hightech_revenue', 'in_universe.industry_revenue',
        'universe_totals.universe_hightech_revenue', 'universe_totals.universe_industry_revenue'
    ) }} as double) as lq,
    cast(in_universe.hightech_revenue as double) as hightech_revenue,
    cast(in_universe.industry_revenue as double) as industry_revenue,
    cast(universe_totals.universe_hightech_revenue as double) as universe_hightech_revenue,
    cast(universe_totals.universe_industry_revenue as double) as universe_industry_revenue,
    cast(universe_sizes.n_members as integer) as n_members,
    cast(universe_totals.n_members_present as integer) as n_members_present,
    cast(universe_totals.n_members_present = universe_sizes.n_members as boolean) as is_universe_complete

from in_universe
inner join universe_totals using (universe_code, year)
inner join universe_sizes using (universe_code)
