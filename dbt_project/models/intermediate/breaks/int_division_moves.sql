-- Each harmonised division value against the same division's previous year: x[t] / x[t−1], for
-- positive values in consecutive years. The level-shift statistic and the cross-source check
-- both read movements from here.
with

divisions as (

    select
        harmonised.*,
        indicators.plausibility_material_value
    from {{ ref('int_cells_harmonised') }} as harmonised
    inner join {{ ref('indicator') }} as indicators using (indicator)
    where harmonised.value > 0

)

select
    this_year.province_code,
    this_year.industry_code,
    this_year.indicator,
    this_year.year,
    previous_year.value as previous_value,
    this_year.value,
    this_year.value / previous_year.value as ratio,
    greatest(this_year.value, previous_year.value) >= this_year.plausibility_material_value as is_material,
    {{ list_concat('previous_year.source_value_ids', 'this_year.source_value_ids') }} as source_value_ids
from divisions as this_year
inner join divisions as previous_year
    on this_year.province_code = previous_year.province_code
        and this_year.industry_code = previous_year.industry_code
        and this_year.indicator = previous_year.indicator
        and previous_year.year = this_year.year - 1
