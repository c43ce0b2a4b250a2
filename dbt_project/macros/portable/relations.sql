{#- Relations. -#}

{#- The rows of several relations one after another, matched by column name; a column one of them
    lacks is null there. DuckDB has `union all by name`; Spark has no such clause, so the columns
    are listed from the relations themselves (at run time). `columns` keeps only those (in that
    order). -#}
{% macro union_by_name(relations, columns=none) -%}
    {%- set columns_of = [] -%}
    {%- set names = [] -%}
    {%- set types = {} -%}
    {%- for relation in relations -%}
        {%- set kept = {} -%}
        {%- for column in adapter.get_columns_in_relation(relation) -%}
            {%- set name = column.name | lower -%}
            {%- if columns is none or name in columns -%}
                {%- do kept.update({name: column.data_type}) -%}
                {%- if name not in types -%}
                    {%- do names.append(name) -%}
                    {%- do types.update({name: column.data_type}) -%}
                {%- endif -%}
            {%- endif -%}
        {%- endfor -%}
        {%- do columns_of.append(kept) -%}
    {%- endfor -%}
    {%- set names = columns if columns is not none else names -%}
    {%- for relation in relations %}
    {%- set kept = columns_of[loop.index0] %}
    {% if not loop.first %}union all{% endif %}
    {%- if names %}
    select
        {%- for name in names %}
        {% if name in kept %}{{ name }}{% else %}cast(null as {{ types.get(name, 'string') }}) as {{ name }}{% endif %}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ relation }}
    {%- else %}
    {#- no columns known (sqlfluff renders without a warehouse) #}
    select * from {{ relation }}
    {%- endif %}
    {%- endfor %}
{%- endmacro %}

{#- The columns of `relation` but those in `except`, each prefixed by `alias.` when given:
    DuckDB's `* exclude (...)` / `* replace (...)`, which Spark lacks, listed at run time. -#}
{% macro star(relation, except=[], alias=none) -%}
    {%- set names = [] -%}
    {%- for column in adapter.get_columns_in_relation(relation) if column.name | lower not in except -%}
        {%- do names.append((alias ~ '.' if alias else '') ~ column.name | lower) -%}
    {%- endfor -%}
    {#- no columns known (sqlfluff renders without a warehouse): all of them -#}
    {{ names | join(',\n    ') if names else (alias ~ '.' if alias else '') ~ '*' }}
{%- endmacro %}

{#- One row per key and non-null value of `columns`, the column's name in `name_column`: UNPIVOT,
    which DuckDB and Spark both have in different syntax (`unpivot t on ... into name ... value`
    against `t unpivot (value for name in (...))`), written once as a union. -#}
{% macro unpivot_non_null(relation, keys, columns, name_column, value_column) -%}
    {%- for column in columns %}
    {% if not loop.first %}union all{% endif %}
    select
        {%- for key in keys %}
        {{ key }},
        {%- endfor %}
        '{{ column }}' as {{ name_column }},
        {{ column }} as {{ value_column }}
    from {{ relation }}
    where {{ column }} is not null
    {%- endfor %}
{%- endmacro %}

{#- Aggregate: any non-null value of the group (all are equal where it is used). DuckDB's
    any_value skips nulls; Spark's takes the first row's, null or not, unless told to skip. -#}
{% macro any_non_null(expression) -%}
    {{ return(adapter.dispatch('any_non_null')(expression)) }}
{%- endmacro %}
{% macro default__any_non_null(expression) -%}any_value({{ expression }}){%- endmacro %}
{% macro spark__any_non_null(expression) -%}any_value({{ expression }}, true){%- endmacro %}

{#- Written between a CTE's name and its body (`name as {{ cte_not_materialized() }} (`): DuckDB
    materialises a CTE that a query reads more than once, and an import CTE (`select * from` a
    model) is then a copy of the whole model before any work: on the metric benchmark's 6.1 M rows
    0.3-1.0 s of int_metric_shares run alone, and 0.45 s of relative Krugman's 0.75 s
    (docs/benchmarks.md, "Every metric mart at scale").
    Spark has no such clause and inlines CTEs. -#}
{% macro cte_not_materialized() -%}
    {{ return(adapter.dispatch('cte_not_materialized')()) }}
{%- endmacro %}
{% macro default__cte_not_materialized() -%}not materialized{%- endmacro %}
{% macro spark__cte_not_materialized() -%}{%- endmacro %}
