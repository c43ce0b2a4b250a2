{#- Every DuckDB view model is built as table models are (macros/table_materialization.sql): in
    one transaction, drop the old relation and create the view (with the contract's column check,
    as dbt-duckdb's own create_view_as writes it). dbt's view materialization instead drops
    leftover intermediate and backup relations, creates `<name>__dbt_tmp`, renames the old view
    to a backup, renames the new one into place, commits and drops the backup. A failing model
    rolls its transaction back, so the previous view stays. Spark keeps dbt-spark's. -#}
{% materialization view, adapter='duckdb' %}
  {%- set existing_relation = load_cached_relation(this) -%}
  {%- set target_relation = this.incorporate(type='view') -%}

  {{ run_hooks(pre_hooks, inside_transaction=False) }}
  -- `BEGIN` happens here:
  {{ run_hooks(pre_hooks, inside_transaction=True) }}

  {% call statement('main') -%}
    {%- if existing_relation is not none %}
    drop {{ existing_relation.type }} {{ existing_relation }};
    {%- endif %}
    {{ get_create_view_as_sql(target_relation, compiled_code) }}
  {%- endcall %}

  {{ run_hooks(post_hooks, inside_transaction=True) }}
  {{ adapter.commit() }}
  {{ run_hooks(post_hooks, inside_transaction=False) }}

  {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}
