{#- Every DuckDB table model is built with two statements, in one transaction: drop the old
    relation, create the new one (with the contract's column check, types and constraints, as
    dbt-duckdb's own create_table_as writes them). dbt-duckdb's table materialization instead
    creates `<name>__dbt_tmp`, looks up indexes and foreign keys, renames the old table to a
    backup, renames the new one into place and drops the backup after the commit: six statements
    with dbt's bookkeeping around each, about 50 ms a model whatever its size, for guarantees
    this project does not use (no indexes, no foreign keys, no grants; docs are written at
    publish). dbt's own elapsed on the real extracts: 11.1 and 11.3 s against 13.3 and 12.9 s
    (docs/benchmarks.md, "What the refresh path does to stay fast"). A failing model rolls its
    transaction back, so the previous table stays (macros/replace_relation.sql). Spark keeps
    dbt-spark's materialization. -#}
{% materialization table, adapter='duckdb' %}
  {%- set target_relation = this.incorporate(type='table') -%}
  {{ return(replace_relation_in_one_transaction(target_relation, create_table_as(False, target_relation, compiled_code))) }}
{% endmaterialization %}
