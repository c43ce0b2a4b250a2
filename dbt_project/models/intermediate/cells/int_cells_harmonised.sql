-- Division cells mapped to GB/T 4754-2011 2-digit codes. 2002-vintage cells pass through the
-- crosswalk (derived from the concordance) (weights sum to 1 per 2002 code); where several source cells feed one 2011
-- division (2002's 29 rubber + 30 plastics -> 2011's 29) their weighted values are summed.
with

division_cells as (

    select
        *,
        -- A renamed series is often exported as two columns, the old name blank after the
        -- change and the new one blank before; a blank beside a filled twin is not a gap.
        count(case when value_flag <> 'missing' then 1 end) over (
            partition by province_code, year, indicator, mapping_vintage, mapping_code
        ) as n_filled_twins

    from {{ ref('int_cells_quarantine_applied') }}
    where label_kind = 'division'
        -- only additive indicators are summed through the crosswalk (averages: fct_average_wage)
        and indicator in (
            select indicator from {{ ref('indicator') }}
            where is_additive
        )

),

cells as (

    select *
    from division_cells
    where value_flag <> 'missing' or n_filled_twins = 0

),

crosswalk as (

    select
        '2002' as mapping_vintage,
        code_2002 as mapping_code,
        code_2011 as industry_code,
        weight,
        method
    from {{ ref('int_industry_crosswalk_2002_2011') }}

    union all

    select
        '2011' as mapping_vintage,
        industry_code as mapping_code,
        industry_code,
        1.0 as weight,
        'identity' as method
    from {{ ref('industry_division') }}
    where vintage = '2011'

),

expected_sources as (

    -- How many 2002 divisions feed each 2011 division, to tell a complete merge from a partial one.
    select
        code_2011 as industry_code,
        count(*) as n_sources_2002
    from {{ ref('int_industry_crosswalk_2002_2011') }}
    group by code_2011

),

contributions as (

    select
        cells.*,
        crosswalk.industry_code,
        crosswalk.weight,
        crosswalk.method,
        cells.value_converted * crosswalk.weight as value_contribution

    from cells
    inner join crosswalk
        on cells.mapping_vintage = crosswalk.mapping_vintage
            and cells.mapping_code = crosswalk.mapping_code

),

aggregated as (

    select
        province_code,
        year,
        indicator,
        industry_code,
        {{ any_non_null('source_vintage') }} as source_vintage,
        {{ any_non_null('target_unit') }} as unit,
        -- A harmonised value is a sum of reported (or derived) cells only: one suppressed,
        -- missing or quarantined input makes it null rather than silently too small.
        case when bool_and(value_flag in ('reported', 'derived')) then sum(value_contribution) end as value,
        case
            when bool_and(value_flag = 'reported') then 'reported'
            when bool_and(value_flag in ('reported', 'derived')) then 'derived'
            when bool_or(value_flag = 'quarantined') then 'quarantined'
            when bool_or(value_flag = 'suppressed') then 'suppressed'
            else 'missing'
        end as value_flag,
        case
            when bool_and(method = 'identity') then 'identity'
            when bool_or(method = 'revenue_share') then 'crosswalk_split'
            else 'crosswalk'
        end as harmonisation_method,
        bool_and(mapping_vintage = '2002') as mapped_from_2002,
        count(distinct mapping_code) filter (where mapping_vintage = '2002') as n_sources_2002_present,
        {{ ordered_list('raw_value_id') }} as source_value_ids,
        {{ ordered_list('source_file', distinct=true) }} as source_files

    from contributions
    group by province_code, year, indicator, industry_code

)

select
    aggregated.province_code,
    aggregated.year,
    aggregated.indicator,
    aggregated.industry_code,
    aggregated.source_vintage,
    aggregated.unit,
    aggregated.value,
    aggregated.value_flag,
    aggregated.harmonisation_method,
    aggregated.source_value_ids,
    aggregated.source_files,
    -- True when a 2011 division built from 2002 divisions lacks some of them in the source.
    coalesce(
        aggregated.mapped_from_2002
        and aggregated.n_sources_2002_present < expected_sources.n_sources_2002,
        false
    ) as is_incomplete_merge

from aggregated
left join expected_sources
    on aggregated.industry_code = expected_sources.industry_code
