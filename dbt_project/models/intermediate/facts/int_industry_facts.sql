-- Province x industry x year x indicator facts in each indicator's unit (seed indicator), on
-- GB/T 4754-2011 2-digit codes, plus the
-- aggregates the exports print (合计 -> BCD, 采矿业 -> B, 制造业 -> C, utilities -> D).
with

divisions as (

    select * from {{ ref('int_cells_harmonised') }}

),

aggregates as (

    select * from {{ ref('int_cells_quarantine_applied') }}
    where label_kind = 'aggregate'
        and indicator in (
            select indicator from {{ ref('indicator') }}
            where is_additive
        )

),

division_facts as (

    select
        province_code,
        year,
        industry_code,
        'division' as industry_level,
        indicator,
        value,
        unit,
        value_flag,
        source_vintage,
        harmonisation_method,
        is_incomplete_merge,
        source_value_ids,
        source_files

    from divisions

),

aggregate_facts as (

    select
        province_code,
        year,
        case aggregate_code
            when 'total' then 'BCD'
            when 'mining' then 'B'
            when 'manufacturing' then 'C'
            when 'utilities' then 'D'
        end as industry_code,
        case when aggregate_code = 'total' then 'total' else 'section' end as industry_level,
        indicator,
        value_converted as value,
        target_unit as unit,
        value_flag,
        source_vintage,
        'identity' as harmonisation_method,
        false as is_incomplete_merge,
        {{ list_of(['raw_value_id']) }} as source_value_ids,
        {{ list_of(['source_file']) }} as source_files

    from aggregates

),

unioned as (

    select * from division_facts
    union all
    select * from aggregate_facts

)

select
    cast(province_code as string) as province_code,
    cast(year as integer) as year,
    cast(industry_code as string) as industry_code,
    cast(industry_level as string) as industry_level,
    cast(indicator as string) as indicator,
    cast(value as double) as value,
    cast(unit as string) as unit,
    cast(value_flag as string) as value_flag,
    cast(source_vintage as string) as source_vintage,
    cast(harmonisation_method as string) as harmonisation_method,
    cast(is_incomplete_merge as boolean) as is_incomplete_merge,
    cast(source_value_ids as {{ type_string_list() }}) as source_value_ids,
    cast(source_files as {{ type_string_list() }}) as source_files

from unioned
