-- Each region group's total of every industry series per year: Σ over the members with a value.
-- A total over fewer than all members is kept but marked incomplete (members_without_value names
-- who is missing), and no share of the nation or growth is computed from it.
with

series as (

    select * from {{ ref('int_industry_series') }}

),

members as (

    select * from {{ ref('int_region_group_member') }}

),

series_keys as (

    select distinct
        industry_code,
        year,
        indicator
    from series

),

-- every member for every series key, with its value where it has one
grid as (

    select
        members.group_code,
        members.province_code,
        series_keys.industry_code,
        series_keys.year,
        series_keys.indicator,
        series.value,
        series.unit,
        series.is_derived_total,
        series.source_vintage
    from members
    cross join series_keys
    left join series
        on members.province_code = series.province_code
            and series_keys.industry_code = series.industry_code
            and series_keys.year = series.year
            and series_keys.indicator = series.indicator

)

select
    group_code,
    industry_code,
    year,
    indicator,
    {{ any_non_null('unit') }} as unit,
    sum(value) as group_total,
    count(*) as n_members,
    count(value) as n_members_present,
    count(value) = count(*) as is_complete,
    coalesce({{ ordered_list('province_code', where='value is null') }}, {{ empty_string_list() }})
        as members_without_value,
    coalesce(bool_or(is_derived_total) filter (where value is not null), false) as is_derived_total,
    {{ ordered_string_agg('source_vintage', "', '", distinct=true) }} as source_vintages
from grid
group by group_code, industry_code, year, indicator
having count(value) > 0
