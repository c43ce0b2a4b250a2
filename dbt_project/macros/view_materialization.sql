{#- Every DuckDB view model is built as table models are (macros/table_materialization.sql): in
    one transaction, drop the old relation and create the view (with the contract's column check,
    as dbt-duckdb's own create_view_as writes it). dbt's view materialization instead drops
    leftover intermediate and backup relations, creates `<name>__dbt_tmp`, renames the old view
    to a backup, renames the new one into place, commits and drops the backup. A failing model
    rolls its transaction back, so the previous view stays (macros/replace_relation.sql). Spark keeps
    dbt-spark's. -#}
{% materialization view, adapter='duckdb' %}
  {%- set target_relation = this.incorporate(type='view') -%}
  {{ return(replace_relation_in_one_transaction(target_relation, get_create_view_as_sql(target_relation, compiled_code))) }}
{% endmaterialization %}
