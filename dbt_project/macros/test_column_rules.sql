{#- A table's column rules in one dbt test: its key, not-null, unique and accepted-values rules.
    dbt spends about 15 ms of a two-thread build on every test node, whatever it checks, so one
    node per table instead of one per rule (docs/data-quality.md, "Where a rule goes").

    Each row returned is one broken rule for one value: the rule, the column(s), the value, how many
    rows carry it and a sentence saying so. The test's failure count (fail_calc) is the rows that
    break each rule, summed over the rules: a row null in two not-null columns counts twice.

      key: [a, b]             a row per combination of a and b (nulls compared as values)
      not_null: [a, b]        no null in a nor in b
      unique: [a]             no non-null value of a twice
      accepted_values:        every non-null value of a in the list; the values are compared as
        a: [x, y]             text, so 2002 and '2002' are the same value
-#}
{% test column_rules(model, key=none, not_null=none, unique=none, accepted_values=none) %}
{{ config(fail_calc='coalesce(sum(n_rows), 0)') }}
{%- set branches = [] -%}

{%- if key -%}
    {%- set shown = [] -%}
    {%- for column in key -%}
        {#- quoted, so an empty text and a null ('', null) are told apart -#}
        {%- do shown.append("coalesce('''' || cast(" ~ column ~ " as string) || '''', 'null')") -%}
    {%- endfor -%}
    {%- set value = "concat_ws(', ', " ~ shown | join(', ') ~ ")" -%}
    {%- do branches.append(
        "select 'key' as rule, '" ~ key | join(', ') ~ "' as column_name, " ~ value ~ " as failing_value,"
        ~ " count(*) as n_rows from " ~ model ~ " group by " ~ key | join(', ') ~ " having count(*) > 1"
    ) -%}
{%- endif -%}

{%- for column in not_null or [] -%}
    {%- do branches.append(
        "select 'not_null' as rule, '" ~ column ~ "' as column_name, cast(null as string) as failing_value,"
        ~ " count(*) as n_rows from " ~ model ~ " where " ~ column ~ " is null having count(*) > 0"
    ) -%}
{%- endfor -%}

{%- for column in unique or [] -%}
    {%- do branches.append(
        "select 'unique' as rule, '" ~ column ~ "' as column_name, cast(" ~ column ~ " as string) as failing_value,"
        ~ " count(*) as n_rows from " ~ model ~ " where " ~ column ~ " is not null"
        ~ " group by " ~ column ~ " having count(*) > 1"
    ) -%}
{%- endfor -%}

{%- set accepted_text = {} -%}
{%- for column, values in (accepted_values or {}).items() -%}
    {#- as text the way both engines cast a value: true, not Python's True -#}
    {%- set texts = [] -%}
    {%- for v in values -%}
        {%- do texts.append(v | string | lower if v is sameas true or v is sameas false else v | string) -%}
    {%- endfor -%}
    {%- set listed = [] -%}
    {%- for text in texts -%}
        {%- do listed.append("'" ~ text | replace("'", "''") ~ "'") -%}
    {%- endfor -%}
    {%- do accepted_text.update({column: texts | join(', ')}) -%}
    {%- do branches.append(
        "select 'accepted_values' as rule, '" ~ column ~ "' as column_name, cast(" ~ column ~ " as string) as failing_value,"
        ~ " count(*) as n_rows from " ~ model ~ " where cast(" ~ column ~ " as string) not in (" ~ listed | join(', ') ~ ")"
        ~ " group by " ~ column
    ) -%}
{%- endfor %}

with broken as (

    {{ branches | join('\n    union all\n    ') if branches else "select cast(null as string) as rule, cast(null as string) as column_name, cast(null as string) as failing_value, cast(0 as bigint) as n_rows where 1 = 0" }}

),

counted as (

    select
        *,
        cast(n_rows as string) || case when n_rows = 1 then ' row' else ' rows' end as rows_text
    from broken

)

select
    rule,
    column_name,
    failing_value,
    n_rows,
    case
        when rule = 'key' then '(' || column_name || ') = (' || failing_value || ') in ' || rows_text || ': the key repeats'
        when rule = 'not_null' then column_name || ' is null in ' || rows_text
        when rule = 'unique' then column_name || ' = ''' || failing_value || ''' in ' || rows_text || ': it must be unique'
        {%- for column, text in accepted_text.items() %}
        when rule = 'accepted_values' and column_name = '{{ column }}'
            then column_name || ' = ''' || failing_value || ''' in ' || rows_text || ': not one of {{ text | replace("'", "''") }}'
        {%- endfor %}
    end as problem
from counted
{% endtest %}
