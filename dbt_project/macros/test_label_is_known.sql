{#- Generic test: every printed label of `column_name` resolves through the alias model
    `aliases` (int_province_alias or int_region_alias), whitespace ignored. The failing rows name
    the file and cell and say which seed to extend. -#}
{% test label_is_known(model, column_name, aliases) %}
select
    source_file,
    source_sheet,
    source_cell,
    {{ column_name }},
    'unknown region: add it to seeds/province_alias.csv or seeds/region_group_alias.csv' as problem
from {{ model }}
where {{ normalise_label(column_name) }} not in (select alias_key from {{ ref(aliases) }})
{% endtest %}
