-- High-tech industry facts by region (province, NBS macro-region subtotal, nation), year and
-- indicator, from the winning copy of each edition. Macro-region and national rows are the
-- subtotals the yearbook prints, kept as printed (region_kind says which is which).
with

cells as (

    select * from {{ ref('int_hightech_cells') }}

),

copies as (

    select * from {{ ref('int_hightech_copies') }}

),

disagreements as (

    select
        edition_year,
        region_code,
        indicator,
        count(*) filter (where comparison in ('disagree', 'blank_in_one')) as n_copies_disagreeing

    from {{ ref('int_hightech_copy_comparison') }}
    group by all

)

select
    cast(cells.region_code as string) as region_code,
    cast(cells.region_kind as string) as region_kind,
    cast(cells.year as integer) as year,
    cast(cells.indicator as string) as indicator,
    cast(cells.value_in_source_unit as double) as value,
    cast(cells.source_unit as string) as unit,
    cast(cells.value_flag as string) as value_flag,
    cast(cells.printed_decimals as integer) as printed_decimals,
    cast(cells.series_basis as string) as series_basis,
    cast(cells.indicator_label as string) as indicator_label_as_printed,
    cast(cells.province_label as string) as region_label_as_printed,
    cast(copies.n_copies as integer) as n_copies,
    cast(coalesce(disagreements.n_copies_disagreeing, 0) as integer) as n_copies_disagreeing,
    cast({{ list_of(['cells.raw_value_id']) }} as {{ type_string_list() }}) as source_value_ids,
    cast(cells.source_file as string) as source_file

from cells
inner join copies
    on cells.source_file = copies.source_file
        and cells.year = copies.edition_year
left join disagreements
    on cells.year = disagreements.edition_year
        and cells.region_code = disagreements.region_code
        and cells.indicator = disagreements.indicator
where copies.is_winning_copy
