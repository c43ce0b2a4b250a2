-- Everything the quality policy withheld, with the reason: single values (nulled in
-- fct_industry_indicator, flag 'quarantined') and province-years kept out of the metrics.
-- A value withheld because it alone made its province-year's divisions exceed the total
-- (int_cells_exceeding_total) is a 'value' row; its province-year is then not withheld.
with

withheld_values as (

    select * from {{ ref('int_cells_plausibility') }}
    union all
    select * from {{ ref('int_cells_exceeding_total') }}

),

cells as (

    select
        withheld_values.*,
        lineage.source_file,
        lineage.source_sheet,
        lineage.source_cell,
        lineage.value_as_printed,
        lineage.source_unit
    from withheld_values
    inner join {{ ref('int_source_cells') }} as lineage using (raw_value_id)

),

province_years as (

    select * from {{ ref('int_quarantine_province_year') }}

),

unioned as (

    select
        'value' as scope,
        'withheld from facts and metrics' as effect,
        province_code,
        year,
        indicator,
        industry_label,
        quarantine_reason,
        quarantine_detail,
        value_as_printed,
        {{ list_of(['raw_value_id']) }} as source_value_ids,
        source_file || '!' || source_sheet || '!' || source_cell as source_cell,
        source_unit

    from cells

    union all

    select
        'province_year' as scope,
        'kept out of the metric marts' as effect,
        province_code,
        year,
        indicator,
        null as industry_label,
        quarantine_reason,
        quarantine_detail,
        null as value_as_printed,
        {{ empty_string_list() }} as source_value_ids,
        null as source_cell,
        null as source_unit

    from province_years

)

select
    cast(scope as string) as scope,
    cast(effect as string) as effect,
    cast(province_code as string) as province_code,
    cast(year as integer) as year,
    cast(indicator as string) as indicator,
    cast(industry_label as string) as industry_label,
    cast(quarantine_reason as string) as quarantine_reason,
    cast(quarantine_detail as string) as quarantine_detail,
    cast(value_as_printed as string) as value_as_printed,
    cast(source_value_ids as {{ type_string_list() }}) as source_value_ids,
    cast(source_cell as string) as source_cell,
    -- added after the first publication's columns, so their order stays
    cast(source_unit as string) as source_unit

from unioned
