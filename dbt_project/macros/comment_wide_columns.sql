{#- Post-hook of the wide views: each generated column (lq_13, k_110000, ...) gets a comment that
    names its code in Chinese and English, from the dimension the code belongs to, so the
    published file says what every column is. DuckDB only: Spark keeps no column comments on
    Parquet tables (dbt-spark persists docs on Delta and Hudi tables alone). -#}
{% macro comment_wide_columns(relation, prefix, what, dimension, key, name_zh, name_en) %}
    {{ return(adapter.dispatch('comment_wide_columns')(relation, prefix, what, dimension, key, name_zh, name_en)) }}
{% endmacro %}

{% macro spark__comment_wide_columns(relation, prefix, what, dimension, key, name_zh, name_en) %}
    {{ return('') }}
{% endmacro %}

{% macro default__comment_wide_columns(relation, prefix, what, dimension, key, name_zh, name_en) %}
    {%- if execute -%}
        {%- set rows = run_query(
            "select " ~ key ~ ", " ~ name_zh ~ ", " ~ name_en ~ " from " ~ ref(dimension)
        ).rows -%}
        {%- set columns = adapter.get_columns_in_relation(relation) | map(attribute="name") | list -%}
        {%- for row in rows if (prefix ~ row[0]) in columns -%}
            comment on column {{ relation }}.{{ prefix ~ row[0] }} is
            {{ duckdb_escape_comment(what ~ " " ~ row[0] ~ " " ~ row[1] ~ " (" ~ row[2] ~ ")") }};
        {% endfor -%}
    {%- endif -%}
{% endmacro %}
