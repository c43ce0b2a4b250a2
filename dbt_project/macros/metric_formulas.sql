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

{#- Manufacturing total where the source prints no 制造业: 合计 minus the mining and utilities
    divisions, an absent one counting 0. Null when neither is reported: 合计 alone is the whole
    of industry, not manufacturing. -#}
{% macro derived_manufacturing_total(industry_total, mining_divisions_sum, utilities_divisions_sum) -%}
    case when {{ mining_divisions_sum }} is not null or {{ utilities_divisions_sum }} is not null
        then {{ industry_total }} - coalesce({{ mining_divisions_sum }}, 0) - coalesce({{ utilities_divisions_sum }}, 0)
    end
{%- endmacro %}

{#- Growth between every two years of each series of `facts` (a relation with `year` and
    `value`): one row per (series, base year, year) with growth, CAGR, a flag for pairs whose
    `period_column` differs (a classification or series break) and the reason for a null.
    With `series_breaks` (a relation of break_code, first_year and the `break_keys`, as
    int_series_break), also crosses_series_break and the codes of every break the pair spans.
    With `either_flag` (a boolean column of `facts`), that column is true for a pair when it is
    true in either year (e.g. a derived total at one end). -#}
{% macro growth_between_years(
    facts, series_keys, period_column, break_flag, series_breaks=none, break_keys=[], either_flag=none
) %}
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
        {%- if either_flag is not none %},
        t0.{{ either_flag }} or t1.{{ either_flag }} as {{ either_flag }}
        {%- endif %}

    from facts as t1
    inner join facts as t0
        on t0.year < t1.year
        {%- for key in series_keys %}
        and t0.{{ key }} = t1.{{ key }}
        {%- endfor %}

){% if series_breaks is not none %},

-- the known and detected breaks each pair spans (break_keys match, a null key matching all)
pair_breaks as (

    select
        {%- for key in series_keys %}
        pairs.{{ key }},
        {%- endfor %}
        pairs.base_year,
        pairs.year,
        {{ ordered_string_agg('breaks.break_code', "', '", distinct=true) }} as series_breaks
    from pairs
    inner join {{ series_breaks }} as breaks
        on pairs.base_year < breaks.first_year and breaks.first_year <= pairs.year
        {%- for key in break_keys %}
        and coalesce(breaks.{{ key }} = pairs.{{ key }}, true)
        {%- endfor %}
    group by
        {%- for key in series_keys %}
        pairs.{{ key }},
        {%- endfor %}
        pairs.base_year,
        pairs.year

){% endif %}

select
    {%- for key in series_keys %}
    cast({{ key }} as string) as {{ key }},
    {%- endfor %}
    cast(base_year as integer) as base_year,
    cast(year as integer) as year,
    cast(span_years as integer) as span_years,
    cast(base_value as double) as base_value,
    cast(value as double) as value,
    cast({{ growth_rate('base_value', 'value') }} as double) as growth_rate,
    cast({{ cagr('base_value', 'value', 'span_years') }} as double) as cagr,
    {%- if series_breaks is not none and break_flag == 'crosses_series_break' %}
    cast({{ break_flag }} or pair_breaks.series_breaks is not null as boolean) as {{ break_flag }},
    {%- else %}
    cast({{ break_flag }} as boolean) as {{ break_flag }},
    {%- endif %}
    cast(case
        when base_value is null then 'base_missing'
        when base_value <= 0 then 'base_not_positive'
        when value is null then 'value_missing'
    end as string) as null_reason
    {%- if series_breaks is not none %},
    {%- if break_flag != 'crosses_series_break' %}
    cast(pair_breaks.series_breaks is not null as boolean) as crosses_series_break,
    {%- endif %}
    cast(pair_breaks.series_breaks as string) as series_breaks
    {%- endif %}
    {%- if either_flag is not none %},
    cast({{ either_flag }} as boolean) as {{ either_flag }}
    {%- endif %}

from pairs
{%- if series_breaks is not none %}
left join pair_breaks using ({{ (series_keys + ['base_year', 'year']) | join(', ') }})
{%- endif %}
{% endmacro %}

{#- The factor by which a value stands above both of its neighbours, or below both: the smaller
    of its two ratios when both point the same way, else 1; null when a side is missing or not
    positive. A spike of factor f differs from each neighbour by at least f. -#}
{% macro spike_factor(value, previous_value, next_value) -%}
    case when {{ value }} > 0 and {{ previous_value }} > 0 and {{ next_value }} > 0 then
        greatest(
            least({{ value }} / {{ previous_value }}, {{ value }} / {{ next_value }}),
            least({{ previous_value }} / {{ value }}, {{ next_value }} / {{ value }}),
            1.0)
    end
{%- endmacro %}

{#- Every cell of `relation` with the values and years of its neighbours in its own series
    (province, label as printed, indicator), for the rules that judge a value by its neighbours. -#}
{% macro series_neighbours(relation) -%}
    select
        *,
        lag(value_converted) over series as previous_value,
        lead(value_converted) over series as next_value,
        lag(year) over series as previous_year,
        lead(year) over series as next_year
    from {{ relation }}
    window series as (partition by province_code, industry_label, indicator order by year)
{%- endmacro %}


{#- Aggregate: twice the area under a localization curve, by trapezoids, Σ λ[i]·(C[i] + C[i−1])
    over the regions in the order `order_by` (ascending LQ, then a tie-break), with C the
    cumulative σ; the locational Gini is 1 minus it. A null term adds nothing, and only null terms
    give null, as sum() does. The curve is one ordered list per industry folded from its start,
    which costs a fraction of a cumulative window over the same rows (docs/benchmarks.md, "Every
    metric mart at scale"). A region whose LQ is null (a zero region total) comes last on both
    engines, as ordered_list sorts a null key (the place changes the area only where such a
    region's σ is not 0, values summing to zero); the engines differ only in how a struct and a
    fold are written. -#}
{% macro localization_curve_area_twice(weight, share, order_by) -%}
    {#- `curve` is the fold so far (C[i−1] and the area), `region` the next region's λ and σ -#}
    {%- set term = 'region.weight * (2 * curve.cumulative + region.share)' -%}
    {%- set area = 'case when ' ~ term ~ ' is null then curve.area else coalesce(curve.area, 0) + ' ~ term ~ ' end' -%}
    {%- set cumulative = 'curve.cumulative + coalesce(region.share, 0)' -%}
    {{ return(adapter.dispatch('localization_curve_area_twice')(weight, share, order_by, cumulative, area)) }}
{%- endmacro %}
{% macro default__localization_curve_area_twice(weight, share, order_by, cumulative, area) -%}
    list_reduce(
        {{ ordered_list('struct_pack(weight := ' ~ weight ~ ', share := ' ~ share ~ ')', order_by) }},
        lambda curve, region: struct_pack(cumulative := {{ cumulative }}, area := {{ area }}),
        struct_pack(cumulative := cast(0 as double), area := cast(null as double))
    ).area
{%- endmacro %}
{% macro spark__localization_curve_area_twice(weight, share, order_by, cumulative, area) -%}
    aggregate(
        {{ ordered_list("named_struct('weight', " ~ weight ~ ", 'share', " ~ share ~ ")", order_by) }},
        named_struct('cumulative', cast(0 as double), 'area', cast(null as double)),
        (curve, region) -> named_struct('cumulative', {{ cumulative }}, 'area', {{ area }}),
        curve -> curve.area
    )
{%- endmacro %}
