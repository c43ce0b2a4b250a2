-- Value-level defects that can be isolated, one row per quarantined cell (policy in the README):
-- negative values, and material values (seed indicator: plausibility_material_value) that jump
-- by at least the plausibility factor against every neighbouring year of their own series
-- (mis-keyed cells such as Jiangsu 2005 采矿业), and a zero where a neighbouring year of the series
-- is material (a 0 typed for a blank, or a lost cell: no industry of that size stops for a year).
with

cells as (

    select labelled.*, indicators.plausibility_material_value
    from {{ ref('int_cells__labelled') }} as labelled
    inner join {{ ref('indicator') }} as indicators using (indicator)
    where labelled.value_flag in ('reported', 'derived')
        and labelled.label_kind in ('division', 'aggregate')

),

neighbours as (

    select
        *,
        lag(value_converted) over series as previous_value,
        lead(value_converted) over series as next_value,
        lag(year) over series as previous_year,
        lead(year) over series as next_year

    from cells
    window series as (partition by province_code, industry_label, indicator order by year)

),

-- max(a/b, b/a); null when either side is missing or not positive
ratios as (

    select
        *,
        case when value_converted > 0 and previous_value > 0
            then greatest(value_converted / previous_value, previous_value / value_converted) end as previous_ratio,
        case when value_converted > 0 and next_value > 0
            then greatest(value_converted / next_value, next_value / value_converted) end as next_ratio

    from neighbours

),

flagged as (

    select
        *,
        case
            when value_converted < 0 then 'negative_value'
            when value_converted = 0
                and greatest(coalesce(previous_value, 0), coalesce(next_value, 0)) >= plausibility_material_value
                then 'zero_in_material_series'
            when (previous_ratio is not null or next_ratio is not null)
                and coalesce(previous_ratio, {{ var('plausibility_jump_factor') }}) >= {{ var('plausibility_jump_factor') }}
                and coalesce(next_ratio, {{ var('plausibility_jump_factor') }}) >= {{ var('plausibility_jump_factor') }}
                and greatest(value_converted, coalesce(previous_value, 0), coalesce(next_value, 0))
                    >= plausibility_material_value
                then 'implausible_jump'
        end as quarantine_reason

    from ratios

)

select
    raw_value_id,
    province_code,
    year,
    indicator,
    industry_label,
    label_kind,
    value_converted,
    quarantine_reason,
    case quarantine_reason
        when 'negative_value' then 'value ' || value_converted || ' ' || target_unit || ' is negative'
        when 'zero_in_material_series' then 'value 0 ' || target_unit || ' between '
            || concat_ws(' and ',
                case when previous_value is not null
                    then previous_year || ' (' || round(previous_value, 2) || ')' end,
                case when next_value is not null
                    then next_year || ' (' || round(next_value, 2) || ')' end)
            || ', at least ' || plausibility_material_value || ' ' || target_unit || ' in a neighbouring year'
        else 'value ' || round(value_converted, 2) || ' ' || target_unit || ' differs from '
            || concat_ws(' and ',
                case when previous_value is not null
                    then previous_year || ' (' || round(previous_value, 2) || ')' end,
                case when next_value is not null
                    then next_year || ' (' || round(next_value, 2) || ')' end)
            || ' by a factor of ' || round(greatest(coalesce(previous_ratio, 0), coalesce(next_ratio, 0)), 1)
            || ' or more (threshold {{ var("plausibility_jump_factor") }}x)'
    end as quarantine_detail

from flagged
where quarantine_reason is not null
