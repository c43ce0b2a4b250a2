{#- Labels printed in yearbooks pad names with inner spaces ('北  京', '北　京'); compare
    without any. Which characters count as whitespace is the var label_whitespace, shared with
    Python's orchestration.ingest.cells.normalise_label (tests/test_labels.py holds them equal). -#}
{% macro normalise_label(expression) -%}
    {%- set ranges = [] -%}
    {%- for item in var('label_whitespace') -%}
        {%- set bounds = item.split('-') -%}
        {%- do ranges.append('\\x{' ~ bounds[0] ~ '}' ~ ('-\\x{' ~ bounds[1] ~ '}' if bounds | length > 1 else '')) -%}
    {%- endfor -%}
    {{ regexp_replace_all(expression, '[' ~ ranges | join('') ~ ']', "''") }}
{%- endmacro %}
