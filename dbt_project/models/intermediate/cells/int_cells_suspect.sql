-- Values that are not withheld but look wrong, as warnings with the numbers (docs/data-quality.md,
-- "Series breaks and value checks"): the rules below 10× that the quarantine cannot afford to act on.
--   suspect_spike             a material value above or below both of its neighbouring values
--                             (those not withheld) by at least suspect_spike_factor: a 3× error
--                             in a series growing 20% a year still stands out by 2.5×;
--   diverges_from_employment  a division's revenue and employment of the same province move
--                             apart by at least cross_source_movement_factor between two
--                             consecutive years (both material): one of the two is likely wrong,
--                             or a classification change moved firms between divisions.
with

cells as (

    select
        checked.*,
        indicators.plausibility_material_value
    from {{ ref('int_cells_quarantine_applied') }} as checked
    inner join {{ ref('indicator') }} as indicators using (indicator)
    where checked.value_flag in ('reported', 'derived')
        and checked.label_kind in ('division', 'aggregate')
        and checked.value_converted is not null

),

neighbours as (

    {{ series_neighbours('cells') }}

),

spikes as (

    select
        'suspect_spike' as rule,
        province_code,
        year,
        indicator,
        cast(null as string) as industry_code,
        industry_label,
        value_converted as value,
        'value ' || round(value_converted, 2) || ' ' || target_unit || ' stands x'
        || round({{ spike_factor('value_converted', 'previous_value', 'next_value') }}, 2)
        || (case when value_converted > previous_value then ' above' else ' below' end)
        || ' both ' || previous_year || ' (' || round(previous_value, 2) || ') and ' || next_year
        || ' (' || round(next_value, 2) || ') (threshold {{ var("suspect_spike_factor") }}x)' as detail,
        {{ list_of(['raw_value_id']) }} as source_value_ids
    from neighbours
    where {{ spike_factor('value_converted', 'previous_value', 'next_value') }} >= {{ var('suspect_spike_factor') }}
        and greatest(value_converted, previous_value, next_value) >= plausibility_material_value

),

movements as (

    select * from {{ ref('int_division_moves') }}

),

divergences as (

    select
        'diverges_from_employment' as rule,
        revenue.province_code,
        revenue.year,
        'main_business_revenue' as indicator,
        revenue.industry_code,
        cast(null as string) as industry_label,
        revenue.value,
        'revenue moved x' || round(revenue.ratio, 3) || ' (' || round(revenue.previous_value, 2) || ' -> '
        || round(revenue.value, 2) || ' 亿元) while employment moved x' || round(employment.ratio, 3)
        || ' (' || cast(round(employment.previous_value) as bigint) || ' -> ' || cast(round(employment.value) as bigint)
        || ' persons) from ' || (revenue.year - 1) || ': apart by x'
        || round(greatest(revenue.ratio / employment.ratio, employment.ratio / revenue.ratio), 2)
        || ' (threshold {{ var("cross_source_movement_factor") }}x)' as detail,
        {{ list_concat('revenue.source_value_ids', 'employment.source_value_ids') }} as source_value_ids
    from movements as revenue
    inner join movements as employment
        on revenue.province_code = employment.province_code
            and revenue.industry_code = employment.industry_code
            and revenue.year = employment.year
            and employment.indicator = 'employment'
    where revenue.indicator = 'main_business_revenue'
        and revenue.is_material and employment.is_material
        and greatest(revenue.ratio / employment.ratio, employment.ratio / revenue.ratio)
        >= {{ var('cross_source_movement_factor') }}

)

select * from spikes
union all
select * from divergences
