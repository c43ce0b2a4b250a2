{#- Every ingest asset writes the same long shape (orchestration/ingest/load.py), so a layout's
    staging model is this rename-and-cast applied to the raw table of each of its families
    (catalogue_sources), one after another. -#}
{% macro stage_source_cells(raw_tables, extra_columns=[]) %}
with
{% for raw_table in raw_tables %}
{{ "source_" ~ loop.index }} as (

    select * from {{ raw_table }}

),
{% endfor %}
renamed as (
{% for raw_table in raw_tables %}
    {% if not loop.first %}union all{% endif %}
    select
        raw_value_id,
        source_family,
        indicator,
        province_label,
        indicator_label,
        industry_label,
        series_name,
        cast(year as integer) as year,
        value_text as value_as_printed,
        cast(value as double) as value_in_source_unit,
        value_flag,
        unit as source_unit,
        source_file,
        source_sheet,
        source_row,
        source_column,
        source_cell,
        file_sha256,
        loaded_at
        {%- for column in extra_columns %},
        {{ column }}
        {%- endfor %}

    from {{ "source_" ~ loop.index }}
{% endfor %}
)

select * from renamed
{% endmacro %}
