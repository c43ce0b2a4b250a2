{#- A published metric mart as it was before industry sets existed: the year_common rows of its
    _by_set table (which holds every set). One definition for all six such marts; each model file
    only names its _by_set table. A view in the DuckDB build (publishing copies it into a table),
    a table on Spark (macros/portable/materializations.sql). -#}
{% macro year_common_rows(by_set_model) -%}
{{ config(materialized=filtered_mart_materialization()) }}
select *
from {{ ref(by_set_model) }}
where industry_set = 'year_common'
{%- endmacro %}
