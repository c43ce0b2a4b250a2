-- Value-level defects that can be isolated, one row per quarantined cell (policy in the README):
-- negative values, and material values that jump by at least the plausibility factor against
-- every neighbouring year of their own series (mis-keyed cells such as Jiangsu 2005 采矿业).
with

cells as (

    select * from {{ ref('int_wind_mbr__labelled') }}
    where value_flag = 'reported'
        and label_kind in ('division', 'aggregate')

),

neighbours as (

    select
        *,
        lag(value_yi) over series as previous_value,
        lead(value_yi) over series as next_value,
        lag(year) over series as previous_year,
        lead(year) over series as next_year

    from cells
    window series as (partition by province_code, industry_label, indicator order by year)

),

-- max(a/b, b/a); null when either side is missing or not positive
ratios as (

    select
        *,
        case when value_yi > 0 and previous_value > 0
            then greatest(value_yi / previous_value, previous_value / value_yi) end as previous_ratio,
        case when value_yi > 0 and next_value > 0
            then greatest(value_yi / next_value, next_value / value_yi) end as next_ratio

    from neighbours

),

flagged as (

    select
        *,
        case
            when value_yi < 0 then 'negative_value'
            when (previous_ratio is not null or next_ratio is not null)
                and coalesce(previous_ratio, {{ var('plausibility_jump_factor') }}) >= {{ var('plausibility_jump_factor') }}
                and coalesce(next_ratio, {{ var('plausibility_jump_factor') }}) >= {{ var('plausibility_jump_factor') }}
                and greatest(value_yi, coalesce(previous_value, 0), coalesce(next_value, 0))
                    >= {{ var('plausibility_material_yi') }}
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
    value_yi,
    quarantine_reason,
    case quarantine_reason
        when 'negative_value' then 'value ' || value_yi || ' 亿元 is negative'
        else 'value ' || round(value_yi, 2) || ' 亿元 differs from '
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
