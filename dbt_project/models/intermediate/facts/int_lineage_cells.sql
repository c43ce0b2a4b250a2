-- Every raw cell the warehouse read (losing copies of an edition too), so a published value can
-- be traced to its file, sheet and cell from the published file alone: unnest
-- fct_industry_indicator.source_value_ids and join.
with

cells as (

    select * from {{ ref('int_source_cells') }}
    union all by name
    select * exclude (data_vintage, vintage_note) from {{ ref('stg_nbs__gdp') }}
    union all by name
    select * exclude (region_label_en, data_year, table_title, unit_basis, file_kind, was_encrypted)
    from {{ ref('stg_hightech__region_table') }}
    union all by name
    select * exclude (io_code, io_edition, unit_basis) from {{ ref('stg_io__tables') }}
    union all by name
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
    cast(raw_value_id as varchar) as raw_value_id,
    cast(source_family as varchar) as source_family,
    cast(source_file as varchar) as source_file,
    cast(source_sheet as varchar) as source_sheet,
    cast(source_cell as varchar) as source_cell,
    cast(source_row as integer) as source_row,
    cast(source_column as varchar) as source_column,
    cast(file_sha256 as varchar) as file_sha256,
    cast(series_name as varchar) as series_name,
    cast(province_label as varchar) as province_label,
    cast(industry_label as varchar) as industry_label,
    cast(year as integer) as year,
    cast(value_as_printed as varchar) as value_as_printed,
    cast(source_unit as varchar) as source_unit,
    cast(value_flag as varchar) as value_flag,
    cast(loaded_at as timestamp) as loaded_at

from cells
