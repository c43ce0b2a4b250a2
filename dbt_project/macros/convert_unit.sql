{#- A value in its source unit in the warehouse unit: multiplied and divided by the exact integers
    of seed unit_conversion. Dividing by 10000 rounds once to the double nearest the true value
    (325110500 万元 is 32511.05 亿元); multiplying by 0.0001, itself not exact in binary, gave
    32511.050000000003. -#}
{% macro convert_unit(value, units) -%}
    {{ value }} * {{ units }}.multiply_by / {{ units }}.divide_by
{%- endmacro %}
