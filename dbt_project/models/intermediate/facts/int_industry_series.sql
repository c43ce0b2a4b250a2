-- Every fact series, with the manufacturing total (industry C) completed where the source prints
-- none: int_manufacturing_coverage derives it as 合计 minus the mining and utilities divisions.
-- is_derived_total marks such a derived total; every other row is the fact as published in
-- fct_industry_indicator. Growth and group totals read this, so a manufacturing total grows and
-- sums for every province-year that has one, not only where it was printed.
with

facts as (

    select * from {{ ref('int_industry_facts') }}

),

province_years as (

    select
        province_code,
        year,
        indicator,
        {{ any_non_null('unit') }} as unit,
        {{ any_non_null('source_vintage') }} as source_vintage
    from facts
    group by province_code, year, indicator

)

select
    province_code,
    year,
    industry_code,
    industry_level,
    indicator,
    value,
    unit,
    value_flag,
    source_vintage,
    false as is_derived_total
from facts
where industry_code <> 'C'

union all

select
    coverage.province_code,
    coverage.year,
    'C' as industry_code,
    'section' as industry_level,
    coverage.indicator,
    coverage.manufacturing_total as value,
    province_years.unit,
    case
        when coverage.manufacturing_total_basis = 'derived' then 'derived_total'
        else coalesce(facts.value_flag, 'missing')
    end as value_flag,
    province_years.source_vintage,
    coalesce(coverage.manufacturing_total_basis = 'derived', false) as is_derived_total
from {{ ref('int_manufacturing_coverage') }} as coverage
inner join province_years using (province_code, year, indicator)
left join facts
    on coverage.province_code = facts.province_code
        and coverage.year = facts.year
        and coverage.indicator = facts.indicator
        and facts.industry_code = 'C'
