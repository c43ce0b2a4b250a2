-- A warning, not an error: values that look wrong by a rule below the quarantine's (a spike of
-- 2.5x, revenue and employment moving apart, revenue against IO output) are published and
-- listed in fct_value_warning with their numbers, and here in the validation report.
{{ config(severity='warn', store_failures=true) }}

select
    rule,
    province_code,
    year,
    indicator,
    industry_code,
    industry_label,
    detail
from {{ ref('fct_value_warning') }}
