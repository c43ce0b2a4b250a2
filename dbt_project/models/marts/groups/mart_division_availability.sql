-- Why each division of each member is, or is not, in a universe-year's industry set (year_common):
-- one row per universe, province, manufacturing division, year and indicator. A division enters
-- the set only when every member with data that year reports it, so one blank cell takes it out
-- for all members; this table names the blank cell and everyone it affects.
with

facts as (

    select * from {{ ref('int_industry_facts') }}
    where industry_level = 'division'
        and industry_code between '{{ var("metric_industry_from") }}' and '{{ var("metric_industry_to") }}'

),

divisions as (

    select industry_code
    from {{ ref('industry_division') }}
    where vintage = '2011'
        and industry_code between '{{ var("metric_industry_from") }}' and '{{ var("metric_industry_to") }}'

),

members as (

    select * from {{ ref('int_region_group_member') }}

),

withheld_years as (

    select * from {{ ref('int_quarantine_province_year') }}

),

in_set as (

    select
        universe_code as group_code,
        year,
        indicator,
        province_code,
        industry_code,
        n_industries
    from {{ ref('int_metric_input') }}
    where industry_set = 'year_common'

),

-- a universe-year exists where any member has a manufacturing division that year
universe_years as (

    select distinct
        members.group_code,
        facts.year,
        facts.indicator
    from members
    inner join facts on members.province_code = facts.province_code

),

member_present as (

    select distinct
        group_code,
        year,
        indicator,
        province_code
    from in_set

),

grid as (

    select
        universe_years.group_code,
        members.province_code,
        divisions.industry_code,
        universe_years.year,
        universe_years.indicator,
        facts.value,
        facts.value_flag,
        {{ list_to_string('facts.source_value_ids', "' '") }} as source_cells,
        in_set.industry_code is not null as is_in_set,
        member_present.province_code is not null as is_member_present,
        withheld_years.province_code is not null as is_province_year_withheld
    from universe_years
    inner join members using (group_code)
    cross join divisions
    left join facts
        on members.province_code = facts.province_code
            and universe_years.year = facts.year
            and universe_years.indicator = facts.indicator
            and divisions.industry_code = facts.industry_code
    left join in_set
        on universe_years.group_code = in_set.group_code
            and members.province_code = in_set.province_code
            and divisions.industry_code = in_set.industry_code
            and universe_years.year = in_set.year
            and universe_years.indicator = in_set.indicator
    left join member_present
        on universe_years.group_code = member_present.group_code
            and members.province_code = member_present.province_code
            and universe_years.year = member_present.year
            and universe_years.indicator = member_present.indicator
    left join withheld_years
        on members.province_code = withheld_years.province_code
            and universe_years.year = withheld_years.year
            and universe_years.indicator = withheld_years.indicator

),

classified as (

    select
        *,
        case
            when is_in_set then 'in_set'
            when is_province_year_withheld then 'province_year_withheld'
            when not is_member_present then 'member_without_data'
            when value_flag is null then 'not_in_export'
            when value_flag = 'quarantined' then 'quarantined'
            when value_flag = 'suppressed' then 'suppressed'
            when value is null then 'missing'
            else 'dropped_by_common_support'
        end as status
    from grid

),

-- the present members that lack each division, named on every member's row
gaps as (

    select
        group_code,
        industry_code,
        year,
        indicator,
        {{ ordered_string_agg(
            "province_code || ' ' || status || coalesce(' (' || nullif(source_cells, '') || ')', '')",
            "'; '", order_by='province_code'
        ) }} as lacking
    from classified
    where is_member_present and status in ('not_in_export', 'quarantined', 'suppressed', 'missing')
    group by group_code, industry_code, year, indicator

)

select
    cast(classified.group_code as string) as universe_code,
    cast(classified.province_code as string) as province_code,
    cast(classified.industry_code as string) as industry_code,
    cast(classified.year as integer) as year,
    cast(classified.indicator as string) as indicator,
    cast(classified.status as string) as status,
    cast(classified.is_in_set as boolean) as is_in_industry_set,
    cast(classified.value as double) as value,
    cast(classified.value_flag as string) as value_flag,
    cast(case classified.status
        when 'in_set' then 'reported by every member with data that year'
        when 'province_year_withheld' then 'the province-year is kept out of the universes (fct_quarantine)'
        when 'member_without_data' then 'the province has no manufacturing division that year'
        when 'not_in_export' then 'the source has no row for this division'
        when 'quarantined' then 'value withheld by the plausibility rules (fct_quarantine): ' || classified.source_cells
        when 'suppressed' then 'printed as suppressed (confidential) in ' || classified.source_cells
        when 'missing' then 'printed blank or as a missing-value mark in ' || classified.source_cells
        when 'dropped_by_common_support' then 'reported, but not by every member: ' || gaps.lacking
    end as string) as reason,
    cast(gaps.lacking as string) as members_lacking

from classified
left join gaps using (group_code, industry_code, year, indicator)
