-- What every metric row of a universe-year is computed from: each member's value of each division
-- in the universe-year's industry set (industry_set), with the raw cells behind it. A metric row
-- of mart_location_quotient, the specialization, structure, concentration and shift-share marts
-- traces to the rows here with the same universe_code, industry_set, year and indicator
-- (`make trace`).
select
    cast(inputs.universe_code as string) as universe_code,
    cast(inputs.year as integer) as year,
    cast(inputs.indicator as string) as indicator,
    cast(inputs.province_code as string) as province_code,
    cast(inputs.industry_code as string) as industry_code,
    cast(inputs.value as double) as value,
    cast(inputs.n_industries as integer) as n_industries,
    cast(inputs.n_members_present as integer) as n_members_present,
    cast(facts.harmonisation_method as string) as harmonisation_method,
    cast(facts.source_value_ids as {{ type_string_list() }}) as source_value_ids,
    cast(inputs.industry_set as string) as industry_set
from {{ ref('int_metric_input') }} as inputs
inner join {{ ref('int_industry_facts') }} as facts
    on
        inputs.province_code = facts.province_code
        and inputs.year = facts.year
        and inputs.indicator = facts.indicator
        and inputs.industry_code = facts.industry_code
