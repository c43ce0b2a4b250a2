{#- Use the layer names as schemas (staging, intermediate, marts, reference) rather than dbt's
    default target-prefixed names, so the build database reads like the diagram in the README. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}{{ target.schema }}{%- else -%}{{ custom_schema_name | trim }}{%- endif -%}
{%- endmacro %}
