{#- Every ingest asset writes the same long shape (orchestration/ingest/load.py), so each source's
    staging model is this rename-and-cast applied to its raw table. -#}
{% macro stage_source_cells(raw_table, extra_columns=[]) %}
with

source as (

    select * from {{ raw_table }}

),

renamed as (

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

    from source

)

select * from renamed
{% endmacro %}
