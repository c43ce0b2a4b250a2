-- Per province-year: how much of manufacturing the reported divisions explain. Most exports
-- print no 制造业 total, so where it is absent the total is derived as 合计 minus the mining
-- and utilities divisions (division sums, not the section aggregates: Jiangsu's 2005 采矿业
-- aggregate is mis-keyed ~1000x); null where neither is reported (macro derived_manufacturing_total).
with

facts as (

    select * from {{ ref('int_industry_facts') }}

),

metric_divisions as (

    select industry_code
    from {{ ref('industry_division') }}
    where vintage = '2011'
        and industry_code between '{{ var("metric_industry_from") }}' and '{{ var("metric_industry_to") }}'

),

province_years as (

    select distinct
        province_code,
        year,
        indicator
    from facts

),

summed as (

    select
        province_code,
        year,
        indicator,
        max(value) filter (where industry_code = 'C') as reported_manufacturing_total,
        max(value) filter (where industry_code = 'BCD') as industry_total,
        sum(value) filter (where industry_level = 'division' and industry_code < '13') as mining_divisions_sum,
        sum(value) filter (where industry_level = 'division' and industry_code > '43') as utilities_divisions_sum,
        sum(value) filter (
            where industry_level = 'division'
            and industry_code in (select industry_code from metric_divisions)
        ) as manufacturing_divisions_sum,
        count(value) filter (
            where industry_level = 'division'
            and industry_code in (select industry_code from metric_divisions)
        ) as n_manufacturing_divisions_reported

    from facts
    group by province_code, year, indicator

),

missing as (

    select
        province_years.province_code,
        province_years.year,
        province_years.indicator,
        {{ ordered_list('metric_divisions.industry_code') }} as missing_divisions

    from province_years
    cross join metric_divisions
    left join facts
        on province_years.province_code = facts.province_code
            and province_years.year = facts.year
            and province_years.indicator = facts.indicator
            and metric_divisions.industry_code = facts.industry_code
            and facts.value is not null
    where facts.industry_code is null
    group by province_years.province_code, province_years.year, province_years.indicator

),

derived as (

    select
        summed.*,
        {{ derived_manufacturing_total(
            'summed.industry_total', 'summed.mining_divisions_sum', 'summed.utilities_divisions_sum'
        ) }} as derived_manufacturing_total

    from summed

)

select
    cast(derived.province_code as string) as province_code,
    cast(derived.year as integer) as year,
    cast(derived.indicator as string) as indicator,
    cast(derived.reported_manufacturing_total as double) as reported_manufacturing_total,
    cast(derived.derived_manufacturing_total as double) as derived_manufacturing_total,
    cast(coalesce(derived.reported_manufacturing_total, derived.derived_manufacturing_total) as double)
        as manufacturing_total,
    cast(case
        when derived.reported_manufacturing_total is not null then 'reported'
        when derived.derived_manufacturing_total is not null then 'derived'
    end as string) as manufacturing_total_basis,
    cast(coalesce(derived.manufacturing_divisions_sum, 0) as double) as manufacturing_divisions_sum,
    cast(derived.n_manufacturing_divisions_reported as integer) as n_manufacturing_divisions_reported,
    cast(
        coalesce(derived.manufacturing_divisions_sum, 0)
        / nullif(coalesce(derived.reported_manufacturing_total, derived.derived_manufacturing_total), 0)
        as double
    ) as coverage_ratio,
    coalesce(
        cast(missing.missing_divisions as {{ type_string_list() }}), {{ empty_string_list() }}
    ) as missing_divisions

from derived
left join missing
    on derived.province_code = missing.province_code
        and derived.year = missing.year
        and derived.indicator = missing.indicator
