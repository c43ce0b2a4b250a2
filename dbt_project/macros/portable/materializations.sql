{#- How a mart that only filters another (mart_location_quotient: the year_common rows of
    mart_location_quotient_by_set) is built. DuckDB: a view, which costs nothing (publishing copies
    it into a table). Spark: a table, so every mart lands as Parquet files that DuckDB reads. -#}
{% macro filtered_mart_materialization() -%}
    {{ return(adapter.dispatch('filtered_mart_materialization')()) }}
{%- endmacro %}
{% macro default__filtered_mart_materialization() -%}{{ return('view') }}{%- endmacro %}
{% macro spark__filtered_mart_materialization() -%}{{ return('table') }}{%- endmacro %}
