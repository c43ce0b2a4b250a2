-- x[i,k] for every reference universe (region group), year and indicator, on the metric
-- industries (manufacturing divisions 13-43). A universe-year uses the divisions that every
-- member with data reports that year ("common support"), so all totals are taken over one
-- industry set and the LQ identities of metrics.md hold exactly; what this leaves out is
-- recorded as each region's coverage of its manufacturing total, and a division that only a
-- quarantined value keeps out is named in quarantine_reach.
--
-- industry_set says which divisions a universe-year sums over (docs/user-guide.md "Industry sets"):
--   year_common                the common support of the year, as above (every universe);
--   span_<from>_<to>           the divisions every present member reports in every year of the
--                              span, so a trend is taken over one set (groups of comparison_pairs);
--   pair_<a>_<b>_<from>_<to>   the divisions in both groups' span sets, so the two groups are
--                              compared on one set too (for a, b and their union a+b, whose
--                              span set it equals when every member has data every year).
-- A year of a span in which the universe has no member data does not empty the span's set.
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

    select * from {{ ref('int_region_group_member') }}

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

reported as (

    select
        member_years.group_code,
        member_years.year,
        member_years.indicator,
        member_years.province_code,
        facts.industry_code
    from member_years
    inner join facts
        on member_years.province_code = facts.province_code
            and member_years.year = facts.year
            and member_years.indicator = facts.indicator
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
        group_code,
        year,
        indicator,
        industry_code,
        count(*) as n_reporting
    from reported
    group by group_code, year, indicator, industry_code

),

common_industries as (

    select
        group_code,
        'year_common' as industry_set,
        year,
        indicator,
        industry_support.industry_code
    from industry_support
    inner join members_present using (group_code, year, indicator)
    where industry_support.n_reporting = members_present.n_members_present

),

comparison_pairs as (

    select * from {{ comparison_pairs_relation() }}

),

-- every group of a comparison pair, and their union a+b (int_region_group), over the pair's span
span_sets as (

    select
        group_a as group_code,
        'span_' || span_from || '_' || span_to as industry_set,
        span_from,
        span_to
    from comparison_pairs

    union

    select
        group_b as group_code,
        'span_' || span_from || '_' || span_to as industry_set,
        span_from,
        span_to
    from comparison_pairs

    union

    select
        group_a || '+' || group_b as group_code,
        'span_' || span_from || '_' || span_to as industry_set,
        span_from,
        span_to
    from comparison_pairs
    where group_a <> group_b

),

pair_sets as (

    select distinct
        'pair_' || group_a || '_' || group_b || '_' || span_from || '_' || span_to as industry_set,
        group_a,
        group_b,
        'span_' || span_from || '_' || span_to as span_set,
        span_from,
        span_to
    from comparison_pairs
    where group_a <> group_b

),

-- the universes a pair set is used in: both groups and their union
pair_set_groups as (

    select
        industry_set,
        group_a as group_code
    from pair_sets

    union

    select
        industry_set,
        group_b as group_code
    from pair_sets

    union

    select
        industry_set,
        group_a || '+' || group_b as group_code
    from pair_sets

),

span_member_years as (

    select
        span_sets.group_code,
        span_sets.industry_set,
        member_years.indicator,
        count(*) as n_member_years
    from span_sets
    inner join member_years
        on span_sets.group_code = member_years.group_code
            and member_years.year between span_sets.span_from and span_sets.span_to
    group by span_sets.group_code, span_sets.industry_set, member_years.indicator

),

span_reports as (

    select
        span_sets.group_code,
        span_sets.industry_set,
        reported.indicator,
        reported.industry_code,
        count(*) as n_reports
    from span_sets
    inner join reported
        on span_sets.group_code = reported.group_code
            and reported.year between span_sets.span_from and span_sets.span_to
    group by span_sets.group_code, span_sets.industry_set, reported.indicator, reported.industry_code

),

-- Divisions reported in every member-year of the span.
span_industries as (

    select
        group_code,
        industry_set,
        indicator,
        span_reports.industry_code
    from span_reports
    inner join span_member_years using (group_code, industry_set, indicator)
    where span_reports.n_reports = span_member_years.n_member_years

),

-- Divisions in both groups' span sets.
pair_industries as (

    select
        pair_sets.industry_set,
        pair_sets.group_a,
        pair_sets.group_b,
        pair_sets.span_from,
        pair_sets.span_to,
        a.indicator,
        a.industry_code
    from pair_sets
    inner join span_industries as a
        on pair_sets.group_a = a.group_code and pair_sets.span_set = a.industry_set
    inner join span_industries as b
        on pair_sets.group_b = b.group_code and pair_sets.span_set = b.industry_set
            and a.indicator = b.indicator and a.industry_code = b.industry_code

),

universe_years as (

    select distinct
        group_code,
        year,
        indicator
    from member_years

),

-- Every industry set of every universe-year: the fixed sets hold in each year of their span.
set_industries as (

    select * from common_industries

    union all

    select
        span_industries.group_code,
        span_industries.industry_set,
        universe_years.year,
        span_industries.indicator,
        span_industries.industry_code
    from span_industries
    inner join span_sets using (group_code, industry_set)
    inner join universe_years
        on span_industries.group_code = universe_years.group_code
            and span_industries.indicator = universe_years.indicator
            and universe_years.year between span_sets.span_from and span_sets.span_to

    union all

    select
        pair_set_groups.group_code,
        pair_industries.industry_set,
        universe_years.year,
        pair_industries.indicator,
        pair_industries.industry_code
    from pair_industries
    inner join pair_set_groups using (industry_set)
    inner join universe_years
        on pair_set_groups.group_code = universe_years.group_code
            and pair_industries.indicator = universe_years.indicator
            and universe_years.year between pair_industries.span_from and pair_industries.span_to

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
        {{ ordered_string_agg(
            "province_code || ' ' || " ~ list_to_string('source_value_ids', "' '"), "', '", order_by='province_code'
        ) }} as withheld_cells
    from withheld
    group by group_code, year, indicator, industry_code

),

quarantine_reach as (

    select
        group_code,
        year,
        indicator,
        {{ ordered_string_agg(
            "'division ' || withheld_counts.industry_code || ' left out: value withheld in '"
            ~ " || withheld_counts.withheld_cells", "'; '", order_by='withheld_counts.industry_code'
        ) }} as quarantine_reach
    from withheld_counts
    inner join members_present using (group_code, year, indicator)
    left join industry_support using (group_code, year, indicator, industry_code)
    where coalesce(industry_support.n_reporting, 0) + withheld_counts.n_withheld = members_present.n_members_present
    group by group_code, year, indicator

),

common_counts as (

    select
        group_code,
        industry_set,
        year,
        indicator,
        count(*) as n_industries
    from set_industries
    group by group_code, industry_set, year, indicator

)

select
    group_code as universe_code,
    industry_set,
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
inner join set_industries using (group_code, year, indicator)
inner join facts using (province_code, year, indicator, industry_code)
inner join group_sizes using (group_code)
inner join members_present using (group_code, year, indicator)
inner join common_counts using (group_code, industry_set, year, indicator)
left join coverage using (province_code, year, indicator)
left join quarantine_reach using (group_code, year, indicator)
