{#- The comparison pairs of var comparison_pairs ("a:b:from:to,..."), as dicts. Checked again by
    orchestration/settings.py before a refresh, with a clearer message. -#}
{% macro comparison_pairs() %}
    {%- set pairs = [] -%}
    {%- set setting = var('comparison_pairs') | string -%}
    {#- sqlfluff's templater has no dbt vars (nor `exceptions`): it lints with the default pair -#}
    {%- if ':' not in setting and exceptions is not defined %}{% set setting = 'yrd:jjj:2005:2014' %}{% endif -%}
    {%- for text in setting.split(',') if text.strip() -%}
        {%- set parts = text.strip().split(':') -%}
        {%- if parts | length != 4 -%}
            {{ exceptions.raise_compiler_error("comparison_pairs: '" ~ text ~ "' is not a:b:from:to") }}
        {%- endif -%}
        {%- do pairs.append({'a': parts[0], 'b': parts[1], 'from': parts[2] | int, 'to': parts[3] | int}) -%}
    {%- endfor -%}
    {{ return(pairs) }}
{% endmacro %}

{#- The comparison pairs as a relation (group_a, group_b, span_from, span_to), for a FROM clause;
    no rows when there are none. -#}
{% macro comparison_pairs_relation() -%}
    {%- set rows = [] -%}
    {%- for pair in comparison_pairs() -%}
        {%- do rows.append("('" ~ pair.a ~ "', '" ~ pair.b ~ "', " ~ pair.from ~ ", " ~ pair.to ~ ")") -%}
    {%- endfor -%}
    {%- if rows -%}
        (values {{ rows | join(', ') }}) as comparison_pairs (group_a, group_b, span_from, span_to)
    {%- else -%}
        (
            select
                cast(null as string) as group_a,
                cast(null as string) as group_b,
                cast(null as integer) as span_from,
                cast(null as integer) as span_to
            where false
        ) as comparison_pairs
    {%- endif -%}
{%- endmacro %}


{#- The join condition every step of a shift-share (and any metric over universe-years) needs: the
    same universe, industry set and indicator on both sides. Written once; the years, which differ
    by step (base year, end year), are joined beside it. -#}
{% macro same_universe_set_indicator(left, right) -%}
{{ left }}.universe_code = {{ right }}.universe_code
            and {{ left }}.industry_set = {{ right }}.industry_set
            and {{ left }}.indicator = {{ right }}.indicator
{%- endmacro %}
