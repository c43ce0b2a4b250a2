{#- Formulas shared by marts of different sources (metrics.md): defined once here. Null, never
    0 or an error, when the base is missing or not positive. -#}

{#- g = x[t1] / x[t0] − 1 -#}
{% macro growth_rate(base_value, value) -%}
    case when {{ base_value }} > 0 then {{ value }} / {{ base_value }} - 1 end
{%- endmacro %}

{#- CAGR = (x[T] / x[t0])^(1 / (T − t0)) − 1 -#}
{% macro cagr(base_value, value, span_years) -%}
    case when {{ base_value }} > 0 and {{ value }} >= 0 and {{ span_years }} > 0
        then power({{ value }} / {{ base_value }}, 1.0 / {{ span_years }}) - 1 end
{%- endmacro %}

{#- LQ = (x[i,k] / x[i]) / (X[k] / X): region i's share of k over the universe's share of k -#}
{% macro location_quotient(region_part, region_total, universe_part, universe_total) -%}
    ({{ region_part }} / nullif({{ region_total }}, 0))
        / nullif({{ universe_part }} / nullif({{ universe_total }}, 0), 0)
{%- endmacro %}

{#- Growth between every two years of each series of `facts` (a relation with `year` and
    `value`): one row per (series, base year, year) with growth, CAGR, a flag for pairs whose
    `period_column` differs (a classification or series break) and the reason for a null. -#}
{% macro growth_between_years(facts, series_keys, period_column, break_flag) %}
with

facts as (

    select * from {{ facts }}

),

pairs as (

    select
        {%- for key in series_keys %}
        t1.{{ key }},
        {%- endfor %}
        t0.year as base_year,
        t1.year,
        t1.year - t0.year as span_years,
        t0.value as base_value,
        t1.value,
        t0.{{ period_column }} <> t1.{{ period_column }} as {{ break_flag }}

    from facts as t1
    inner join facts as t0
        on t0.year < t1.year
        {%- for key in series_keys %}
        and t0.{{ key }} = t1.{{ key }}
        {%- endfor %}

)

select
    {%- for key in series_keys %}
    cast({{ key }} as varchar) as {{ key }},
    {%- endfor %}
    cast(base_year as integer) as base_year,
    cast(year as integer) as year,
    cast(span_years as integer) as span_years,
    cast(base_value as double) as base_value,
    cast(value as double) as value,
    cast({{ growth_rate('base_value', 'value') }} as double) as growth_rate,
    cast({{ cagr('base_value', 'value', 'span_years') }} as double) as cagr,
    cast({{ break_flag }} as boolean) as {{ break_flag }},
    cast(case
        when base_value is null then 'base_missing'
        when base_value <= 0 then 'base_not_positive'
        when value is null then 'value_missing'
    end as varchar) as null_reason

from pairs
{% endmacro %}
