-- Growth between any two years of a series (nominal): span 1 is year-on-year growth; CAGR is
-- (x[T]/x[t0])^(1/(T−t0)) − 1. Null, with a reason, when the base is missing or not positive.
with

facts as (

    select * from {{ ref('fct_industry_indicator') }}

),

pairs as (

    select
        t1.province_code,
        t1.industry_code,
        t1.indicator,
        t0.year as base_year,
        t1.year,
        t1.year - t0.year as span_years,
        t0.value as base_value,
        t1.value,
        t0.source_vintage <> t1.source_vintage as crosses_classification_break

    from facts as t1
    inner join facts as t0
        on t0.province_code = t1.province_code
        and t0.industry_code = t1.industry_code
        and t0.indicator = t1.indicator
        and t0.year < t1.year

)

select
    cast(province_code as varchar) as province_code,
    cast(industry_code as varchar) as industry_code,
    cast(indicator as varchar) as indicator,
    cast(base_year as integer) as base_year,
    cast(year as integer) as year,
    cast(span_years as integer) as span_years,
    cast(base_value as double) as base_value,
    cast(value as double) as value,
    cast(case when base_value > 0 then value / base_value - 1 end as double) as growth_rate,
    cast(case when base_value > 0 and value >= 0
        then power(value / base_value, 1.0 / span_years) - 1 end as double) as cagr,
    cast(crosses_classification_break as boolean) as crosses_classification_break,
    cast(case
        when base_value is null then 'base_missing'
        when base_value <= 0 then 'base_not_positive'
        when value is null then 'value_missing'
    end as varchar) as null_reason

from pairs
