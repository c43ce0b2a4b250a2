{#- The inputs: the raw source tables and the seeds. DuckDB: the ingest assets write the raw
    tables into the build file and `dbt build` loads the seeds; nothing to do. Spark:
    spark/run_dbt_spark.py writes both as Parquet to SPARK_INPUT_DIR/<schema>/<table>/ from a
    DuckDB build (dbt-spark's session seeds cannot load a value holding a quote), and each
    becomes a table over its files here (on-run-start, dbt_project.yml). -#}
{% macro register_inputs() -%}
    {{ return(adapter.dispatch('register_inputs')()) }}
{%- endmacro %}

{% macro default__register_inputs() -%}
    {{ return('') }}
{%- endmacro %}

{% macro spark__register_inputs() -%}
    {%- if execute -%}
        {%- set input_dir = env_var('SPARK_INPUT_DIR') -%}
        {%- set tables = [] -%}
        {%- for source in graph.sources.values() if source.source_name == 'raw' -%}
            {%- do tables.append((source.schema, source.name)) -%}
        {%- endfor -%}
        {%- for seed in graph.nodes.values() if seed.resource_type == 'seed' -%}
            {%- do tables.append((seed.schema, seed.alias)) -%}
        {%- endfor -%}
        {%- for schema, table in tables -%}
            {%- do run_query('create database if not exists ' ~ schema) -%}
            {%- do run_query('drop table if exists ' ~ schema ~ '.' ~ table) -%}
            {%- do run_query(
                'create table ' ~ schema ~ '.' ~ table ~ " using parquet location '"
                ~ input_dir ~ '/' ~ schema ~ '/' ~ table ~ "'") -%}
            {#- dbt listed the schemas before this hook ran: tell its cache (load_relation) -#}
            {%- do adapter.cache_added(api.Relation.create(schema=schema, identifier=table, type='table')) -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return('') }}
{%- endmacro %}
