{#- The source catalogue (orchestration/ingest/sources.yml) as dbt reads it: source_catalogue() is
    generated from it (macros/source_catalogue__generated.sql), so a new family of an existing
    layout reaches its layout's staging model and the province x division grid without a new
    model or ref. -#}

{#- The raw tables of every family of a layout, as dbt sources. -#}
{% macro catalogue_sources(layout) -%}
    {%- set relations = [] -%}
    {%- for family in source_catalogue()['families'] if family['layout'] == layout -%}
        {%- do relations.append(source('raw', family['raw_table'])) -%}
    {%- endfor -%}
    {%- if not relations -%}
        {{ exceptions.raise_compiler_error("no family of the source catalogue has layout " ~ layout) }}
    {%- endif -%}
    {{ return(relations) }}
{%- endmacro %}

{#- The staging models of the layouts on a grid (e.g. province_division). -#}
{% macro catalogue_staging_models(grid) -%}
    {%- set models = [] -%}
    {%- set layouts = source_catalogue()['layouts'] -%}
    {%- for name in layouts | sort if layouts[name]['grid'] == grid -%}
        {%- do models.append(ref(layouts[name]['staging_model'])) -%}
    {%- endfor -%}
    {{ return(models) }}
{%- endmacro %}
