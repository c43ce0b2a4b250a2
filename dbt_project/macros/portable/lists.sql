{#- Lists (DuckDB LIST, Spark ARRAY). Each macro says what differs between the engines. -#}

{#- The type of a list of strings: DuckDB varchar[], Spark array<string>. -#}
{% macro type_string_list() -%}
    {{ return(adapter.dispatch('type_string_list')()) }}
{%- endmacro %}
{% macro default__type_string_list() -%}varchar[]{%- endmacro %}
{% macro spark__type_string_list() -%}array<string>{%- endmacro %}

{#- A list of the given expressions: DuckDB [a, b], Spark array(a, b). -#}
{% macro list_of(items) -%}
    {{ return(adapter.dispatch('list_of')(items)) }}
{%- endmacro %}
{% macro default__list_of(items) -%}[{{ items | join(', ') }}]{%- endmacro %}
{% macro spark__list_of(items) -%}array({{ items | join(', ') }}){%- endmacro %}

{#- An empty list of strings. -#}
{% macro empty_string_list() -%}
    cast({{ list_of([]) }} as {{ type_string_list() }})
{%- endmacro %}

{#- Aggregate: the values of `value` ordered by `order_by` (an expression or a list of them),
    over the rows where `where` holds; null when no row does (DuckDB's list()). A null key sorts
    last on both engines. DuckDB has ordered aggregates (nulls last by default); Spark's
    collect_list has no order, so it sorts (key, value) structs, whose null fields sort first, with
    an `is null` key ahead of each key, and keeps the values. `distinct` requires ordering by the
    value itself. -#}
{% macro ordered_list(value, order_by=none, where=none, distinct=false) -%}
    {{ return(adapter.dispatch('ordered_list')(value, order_by, where, distinct)) }}
{%- endmacro %}
{% macro default__ordered_list(value, order_by, where, distinct) -%}
    {%- set keys = [value] if order_by is none else ([order_by] if order_by is string else order_by) -%}
    list({{ 'distinct ' if distinct }}{{ value }} order by {{ keys | join(', ') }})
    {%- if where is not none %} filter (where {{ where }}){% endif %}
{%- endmacro %}
{% macro spark__ordered_list(value, order_by, where, distinct) -%}
    {%- set keys = [value] if order_by is none else ([order_by] if order_by is string else order_by) -%}
    {%- if distinct -%}
        {%- set collected -%}
            array_sort(collect_set({% if where is not none %}case when {{ where }} then {{ value }} end{% else %}{{ value }}{% endif %}))
        {%- endset -%}
    {%- else -%}
        {%- set entry -%}
            named_struct({% for key in keys %}'n{{ loop.index }}', ({{ key }}) is null, 'k{{ loop.index }}', {{ key }}, {% endfor %}'v', {{ value }})
        {%- endset -%}
        {%- set collected -%}
            transform(array_sort(collect_list({% if where is not none %}case when {{ where }} then {{ entry }} end{% else %}{{ entry }}{% endif %})), entry -> entry.v)
        {%- endset -%}
    {%- endif -%}
    {%- if where is not none -%}
        case when count(case when {{ where }} then 1 end) > 0 then {{ collected }} end
    {%- else -%}
        {{ collected }}
    {%- endif -%}
{%- endmacro %}

{#- Aggregate: the values joined by `separator` in the order of `order_by` (default: the value);
    null when there are none. DuckDB string_agg takes an order; Spark joins an ordered list. -#}
{% macro ordered_string_agg(value, separator, order_by=none, distinct=false) -%}
    {{ return(adapter.dispatch('ordered_string_agg')(value, separator, order_by, distinct)) }}
{%- endmacro %}
{% macro default__ordered_string_agg(value, separator, order_by, distinct) -%}
    string_agg({{ 'distinct ' if distinct }}{{ value }}, {{ separator }} order by {{ order_by if order_by is not none else value }})
{%- endmacro %}
{% macro spark__ordered_string_agg(value, separator, order_by, distinct) -%}
    array_join({{ spark__ordered_list(value, order_by, none, distinct) }}, {{ separator }})
{%- endmacro %}

{#- Two lists one after the other: DuckDB list_concat (a null list counts as empty), Spark concat
    (a null list makes the result null), so nulls become empty lists first. -#}
{% macro list_concat(first, second) -%}
    {{ return(adapter.dispatch('list_concat')(first, second)) }}
{%- endmacro %}
{% macro default__list_concat(first, second) -%}list_concat({{ first }}, {{ second }}){%- endmacro %}
{% macro spark__list_concat(first, second) -%}
    concat(coalesce({{ first }}, array()), coalesce({{ second }}, array()))
{%- endmacro %}

{#- A list's elements joined into one string: DuckDB array_to_string, Spark array_join. -#}
{% macro list_to_string(list, separator) -%}
    {{ return(adapter.dispatch('list_to_string')(list, separator)) }}
{%- endmacro %}
{% macro default__list_to_string(list, separator) -%}array_to_string({{ list }}, {{ separator }}){%- endmacro %}
{% macro spark__list_to_string(list, separator) -%}array_join({{ list }}, {{ separator }}){%- endmacro %}

{#- Σ a[k]·b[k] of two equally long lists of numbers: DuckDB list_inner_product, Spark folds
    zip_with, in list order either way. -#}
{% macro list_inner_product(first, second) -%}
    {{ return(adapter.dispatch('list_inner_product')(first, second)) }}
{%- endmacro %}
{% macro default__list_inner_product(first, second) -%}
    list_inner_product({{ first }}, {{ second }})
{%- endmacro %}
{% macro spark__list_inner_product(first, second) -%}
    aggregate(zip_with({{ first }}, {{ second }}, (a, b) -> a * b), cast(0 as double), (total, term) -> total + term)
{%- endmacro %}

{#- Σ |a[k] − b[k]| of two equally long lists of numbers: DuckDB lambdas over list indices,
    Spark folds zip_with. -#}
{% macro list_l1_distance(first, second) -%}
    {{ return(adapter.dispatch('list_l1_distance')(first, second)) }}
{%- endmacro %}
{% macro default__list_l1_distance(first, second) -%}
    list_sum(list_transform({{ first }}, lambda element, position: abs(element - {{ second }}[position])))
{%- endmacro %}
{% macro spark__list_l1_distance(first, second) -%}
    aggregate(zip_with({{ first }}, {{ second }}, (a, b) -> abs(a - b)), cast(0 as double), (total, term) -> total + term)
{%- endmacro %}

{#- Aggregate: Σ r·v(r) over the non-null values v sorted ascending, r = 1, 2, ... (the rank-
    weighted sum of a Gini); null when there are none. Ties do not change it. The values are
    ordered_list's; only the position-weighted sum differs between the engines (DuckDB's lambda
    index counts from 1, Spark's from 0). An ordered list summed by a lambda costs a fraction of a
    rank window over the same rows (docs/benchmarks.md, "Every metric mart at scale"). -#}
{% macro rank_weighted_sum(value) -%}
    {{ return(adapter.dispatch('rank_weighted_sum')(value)) }}
{%- endmacro %}
{% macro default__rank_weighted_sum(value) -%}
    list_sum(list_transform({{ ordered_list(value, where=value ~ ' is not null') }}, lambda v, r: v * r))
{%- endmacro %}
{% macro spark__rank_weighted_sum(value) -%}
    aggregate(transform({{ ordered_list(value, where=value ~ ' is not null') }}, (v, r) -> v * (r + 1)), cast(0 as double), (total, term) -> total + term)
{%- endmacro %}

{#- Aggregate: the n largest non-null values, largest first (fewer when there are fewer): DuckDB's
    max(value, n), null when no value is non-null; Spark sorts the collected values, an empty list
    then. A concentration ratio's top regions need no rank window over every row
    (docs/benchmarks.md, "Every metric mart at scale"). -#}
{% macro largest_values(value, n) -%}
    {{ return(adapter.dispatch('largest_values')(value, n)) }}
{%- endmacro %}
{% macro default__largest_values(value, n) -%}max({{ value }}, {{ n }}){%- endmacro %}
{% macro spark__largest_values(value, n) -%}
    slice(sort_array(collect_list({{ value }}), false), 1, {{ n }})
{%- endmacro %}

{#- The sum of a list's first n numbers (all of them when it is shorter), in list order; of a null
    list, null on DuckDB; of an empty one, null on DuckDB and 0 on Spark. -#}
{% macro list_head_sum(list, n) -%}
    {{ return(adapter.dispatch('list_head_sum')(list, n)) }}
{%- endmacro %}
{% macro default__list_head_sum(list, n) -%}list_sum(list_slice({{ list }}, 1, {{ n }})){%- endmacro %}
{% macro spark__list_head_sum(list, n) -%}
    aggregate(slice({{ list }}, 1, {{ n }}), cast(0 as double), (total, term) -> total + term)
{%- endmacro %}
