{#- The columns every rule that withholds one cell returns before its reason and detail
    (int_cells_plausibility, int_cells_exceeding_total): one list, so the rules' rows union. -#}
{% macro quarantined_cell_columns() -%}
    raw_value_id,
    province_code,
    year,
    indicator,
    industry_label,
    label_kind,
    value_converted
{%- endmacro %}
