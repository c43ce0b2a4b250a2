{#- Regular expressions. Patterns are written once, as DuckDB reads string literals (a backslash
    is a backslash); Spark's parser unescapes backslashes in literals, so they are doubled there. -#}

{% macro regex_literal(pattern) -%}
    {{ return(adapter.dispatch('regex_literal')(pattern)) }}
{%- endmacro %}
{% macro default__regex_literal(pattern) -%}'{{ pattern }}'{%- endmacro %}
{% macro spark__regex_literal(pattern) -%}'{{ pattern | replace('\\', '\\\\') }}'{%- endmacro %}

{#- Every match replaced: DuckDB needs the 'g' flag (else only the first), Spark always replaces
    all (and reads a fourth argument as a position). -#}
{% macro regexp_replace_all(expression, pattern, replacement) -%}
    {{ return(adapter.dispatch('regexp_replace_all')(expression, pattern, replacement)) }}
{%- endmacro %}
{% macro default__regexp_replace_all(expression, pattern, replacement) -%}
    regexp_replace({{ expression }}, {{ regex_literal(pattern) }}, {{ replacement }}, 'g')
{%- endmacro %}
{% macro spark__regexp_replace_all(expression, pattern, replacement) -%}
    regexp_replace({{ expression }}, {{ regex_literal(pattern) }}, {{ replacement }})
{%- endmacro %}

{#- Whether the pattern matches anywhere in the string: DuckDB regexp_matches, Spark rlike. -#}
{% macro regexp_contains(expression, pattern) -%}
    {{ return(adapter.dispatch('regexp_contains')(expression, pattern)) }}
{%- endmacro %}
{% macro default__regexp_contains(expression, pattern) -%}
    regexp_matches({{ expression }}, {{ regex_literal(pattern) }})
{%- endmacro %}
{% macro spark__regexp_contains(expression, pattern) -%}
    ({{ expression }} rlike {{ regex_literal(pattern) }})
{%- endmacro %}
