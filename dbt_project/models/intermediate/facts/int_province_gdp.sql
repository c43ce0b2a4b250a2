-- Provincial GDP by year and data vintage, side by side: NBS revises GDP after each economic
-- census, and both the series as first published and the revised one are used in research.
with

cells as (

    select * from {{ ref('stg_nbs__gdp') }}

),

provinces as (

    select * from {{ ref('int_province_alias') }}

)

select
    cast(provinces.province_code as string) as province_code,
    cast(cells.year as integer) as year,
    cast(cells.data_vintage as string) as data_vintage,
    cast(cells.value_in_source_unit as double) as gdp,
    cast(cells.source_unit as string) as unit,
    cast(cells.value_flag as string) as value_flag,
    cast(cells.vintage_note as string) as vintage_note,
    cast({{ list_of(['cells.raw_value_id']) }} as {{ type_string_list() }}) as source_value_ids,
    cast(cells.source_file as string) as source_file

from cells
left join provinces
    on provinces.alias_key = {{ normalise_label('cells.province_label') }}
