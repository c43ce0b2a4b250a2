-- Every raw cell the warehouse read (losing copies of an edition too), so a published value can
-- be traced to its file, sheet and cell from the published file alone: unnest
-- fct_industry_indicator.source_value_ids and join.
with

cells as (

    {%- set columns = [
        'raw_value_id', 'source_family', 'source_file', 'source_sheet', 'source_cell', 'source_row',
        'source_column', 'file_sha256', 'series_name', 'province_label', 'industry_label', 'year',
        'value_as_printed', 'source_unit', 'value_flag', 'loaded_at'] %}
    {{ union_by_name(
        [ref('int_source_cells'), ref('stg_nbs__gdp'), ref('stg_hightech__region_table'), ref('stg_io__tables')],
        columns=columns) }}
    union all
    -- concordance links: the row is the cell, the link's classes its labels
    select
        raw_value_id,
        'classification' as source_family,
        source_file,
        '(csv)' as source_sheet,
        'row' || source_row as source_cell,
        source_row,
        null as source_column,
        file_sha256,
        class_2002 || ' -> ' || class_2011 as series_name,
        null as province_label,
        class_2002 as industry_label,
        null as year,
        name_2002 || ' -> ' || name_2011 as value_as_printed,
        null as source_unit,
        'reported' as value_flag,
        null as loaded_at
    from {{ ref('stg_classification__concordance') }}

)

select
    cast(raw_value_id as string) as raw_value_id,
    cast(source_family as string) as source_family,
    cast(source_file as string) as source_file,
    cast(source_sheet as string) as source_sheet,
    cast(source_cell as string) as source_cell,
    cast(source_row as integer) as source_row,
    cast(source_column as string) as source_column,
    cast(file_sha256 as string) as file_sha256,
    cast(series_name as string) as series_name,
    cast(province_label as string) as province_label,
    cast(industry_label as string) as industry_label,
    cast(year as integer) as year,
    cast(value_as_printed as string) as value_as_printed,
    cast(source_unit as string) as source_unit,
    cast(value_flag as string) as value_flag,
    cast(loaded_at as timestamp) as loaded_at

from cells
