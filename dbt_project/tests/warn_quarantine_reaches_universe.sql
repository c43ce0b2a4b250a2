-- A warning, not an error: a quarantined value that keeps a division out of a universe-year's
-- common support moves every member's index that year. The metric marts name it in
-- quarantine_reach; the validation report lists it here.
{{ config(severity='warn', store_failures=true) }}

select distinct
    universe_code,
    year,
    indicator,
    quarantine_reach
from {{ ref('int_metric_input') }}
where quarantine_reach is not null
    and industry_set = 'year_common'
