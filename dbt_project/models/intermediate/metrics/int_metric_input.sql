-- x[i,k] for every reference universe (region group), year and indicator, on the metric
-- industries (manufacturing divisions 13-43). A universe-year uses the divisions that every
-- member with data reports that year ("common support"), so all totals are taken over one
-- industry set and the LQ identities of metrics.md hold exactly; what this leaves out is
-- recorded as each region's coverage of its manufacturing total, and a division that only a
-- quarantined value keeps out is named in quarantine_reach.
with

facts as (

    select * from {{ ref('int_industry_facts') }}
    where industry_level = 'division'
        and industry_code between '{{ var("metric_industry_from") }}' and '{{ var("metric_industry_to") }}'

),

coverage as (

    select * from {{ ref('int_manufacturing_coverage') }}

),

quarantined as (

    select
        province_code,
        year,
        indicator
    from {{ ref('int_quarantine_province_year') }}

),

members as (

    select * from {{ ref('region_group_member') }}

),

group_sizes as (

    select
        group_code,
        count(*) as n_members
    from members
    group by group_code

),

member_years as (

    -- Members with at least one reported metric division in the year.
    select distinct
        members.group_code,
        facts.year,
        facts.indicator,
        facts.province_code
    from members
    inner join facts on members.province_code = facts.province_code
    anti join quarantined
        on facts.province_code = quarantined.province_code
            and facts.year = quarantined.year
            and facts.indicator = quarantined.indicator
    where facts.value is not null

),

members_present as (

    select
        group_code,
        year,
        indicator,
        count(*) as n_members_present
    from member_years
    group by group_code, year, indicator

),

industry_support as (

    select
        member_years.group_code,
        member_years.year,
        member_years.indicator,
        facts.industry_code,
        count(*) as n_reporting
    from member_years
    inner join facts
        on member_years.province_code = facts.province_code
            and member_years.year = facts.year
            and member_years.indicator = facts.indicator
    where facts.value is not null
    group by member_years.group_code, member_years.year, member_years.indicator, facts.industry_code

),

common_industries as (

    select
        group_code,
        year,
        indicator,
        industry_support.industry_code
    from industry_support
    inner join members_present using (group_code, year, indicator)
    where industry_support.n_reporting = members_present.n_members_present

),

-- Divisions a quarantined value takes out of the common support: every present member reports
-- the division or had its value withheld, and at least one had. The metric rows of the
-- universe-year name them, with the province and the withheld cells (lineage_source_cell).
withheld as (

    select
        member_years.group_code,
        member_years.year,
        member_years.indicator,
        facts.industry_code,
        facts.province_code,
        facts.source_value_ids
    from member_years
    inner join facts
        on member_years.province_code = facts.province_code
            and member_years.year = facts.year
            and member_years.indicator = facts.indicator
    where facts.value_flag = 'quarantined'

),

withheld_counts as (

    select
        group_code,
        year,
        indicator,
        industry_code,
        count(*) as n_withheld,
        string_agg(province_code || ' ' || array_to_string(source_value_ids, ' '), ', ' order by province_code)
            as withheld_cells
    from withheld
    group by group_code, year, indicator, industry_code

),

quarantine_reach as (

    select
        group_code,
        year,
        indicator,
        string_agg(
            'division ' || withheld_counts.industry_code || ' left out: value withheld in '
            || withheld_counts.withheld_cells, '; ' order by withheld_counts.industry_code
        ) as quarantine_reach
    from withheld_counts
    inner join members_present using (group_code, year, indicator)
    left join industry_support using (group_code, year, indicator, industry_code)
    where coalesce(industry_support.n_reporting, 0) + withheld_counts.n_withheld = members_present.n_members_present
    group by group_code, year, indicator

),

common_counts as (

    select
        group_code,
        year,
        indicator,
        count(*) as n_industries
    from common_industries
    group by group_code, year, indicator

)

select
    group_code as universe_code,
    year,
    indicator,
    province_code,
    industry_code,
    facts.value,
    facts.source_vintage,
    coverage.manufacturing_total,
    group_sizes.n_members,
    members_present.n_members_present,
    common_counts.n_industries,
    quarantine_reach.quarantine_reach

from member_years
inner join common_industries using (group_code, year, indicator)
inner join facts using (province_code, year, indicator, industry_code)
inner join group_sizes using (group_code)
inner join members_present using (group_code, year, indicator)
inner join common_counts using (group_code, year, indicator)
left join coverage using (province_code, year, indicator)
left join quarantine_reach using (group_code, year, indicator)
