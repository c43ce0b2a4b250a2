{#- Labels printed in yearbooks pad names with inner spaces ('北  京'); compare without any. -#}
{% macro normalise_label(expression) -%}
    regexp_replace({{ expression }}, '\s', '', 'g')
{%- endmacro %}
