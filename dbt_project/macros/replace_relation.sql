{#- The body of the project's DuckDB table and view materializations (table_materialization.sql,
    view_materialization.sql): in one transaction, drop the model's existing relation, whatever
    its kind, and run `create_sql` (dbt-duckdb's own create_table_as or create_view_as, with the
    contract's column check). A failing statement rolls the transaction back, so the previous
    relation stays. -#}
{% macro replace_relation_in_one_transaction(target_relation, create_sql) %}
  {%- set existing_relation = load_cached_relation(this) -%}

  {{ run_hooks(pre_hooks, inside_transaction=False) }}
  -- `BEGIN` happens here:
  {{ run_hooks(pre_hooks, inside_transaction=True) }}

  {% call statement('main') -%}
    {%- if existing_relation is not none %}
    drop {{ existing_relation.type }} {{ existing_relation }};
    {%- endif %}
    {{ create_sql }}
  {%- endcall %}

  {{ run_hooks(post_hooks, inside_transaction=True) }}
  {{ adapter.commit() }}
  {{ run_hooks(post_hooks, inside_transaction=False) }}

  {{ return({'relations': [target_relation]}) }}
{% endmacro %}
