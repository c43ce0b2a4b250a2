{#- The columns of a model flagged `group_mean: true` in their YAML meta, in YAML order: the indices
    mart_group_index_mean averages. Read from dbt's graph, so an index column added to a model's
    YAML with the flag gets its group mean without an edit to mart_group_index_mean; Python reads
    the same flag from the manifest (orchestration/dbt_registry.py). -#}
{% macro group_mean_columns(model_name) -%}
    {#- sqlfluff's templater has no graph: it lints with one placeholder column per model -#}
    {%- if graph is not defined -%}{{ return([model_name ~ '__index']) }}{%- endif -%}
    {#- dbt renders every model once at parse time, before the graph is complete -#}
    {%- if not execute -%}{{ return([]) }}{%- endif -%}
    {%- set node = graph.nodes.get('model.' ~ project_name ~ '.' ~ model_name) -%}
    {%- if node is none -%}
        {{ exceptions.raise_compiler_error("group_mean_columns: no model " ~ model_name) }}
    {%- endif -%}
    {%- set columns = [] -%}
    {%- for column in node.columns.values() -%}
        {%- set meta = (column.config or {}).get('meta') or column.meta or {} -%}
        {%- if meta.get('group_mean') -%}{%- do columns.append(column.name) -%}{%- endif -%}
    {%- endfor -%}
    {%- if not columns -%}
        {{ exceptions.raise_compiler_error(
            "group_mean_columns: no column of " ~ model_name ~ " has meta group_mean: true") }}
    {%- endif -%}
    {{ return(columns) }}
{%- endmacro %}
