-- A warning, not an error: quarantined values and province-years are withheld from the marts
-- and listed in fct_quarantine; the run goes on and publishes the rest (policy in docs/data-quality.md).
{{ config(severity='warn', store_failures=true) }}

select
    scope,
    province_code,
    year,
    industry_label,
    quarantine_reason,
    quarantine_detail,
    source_cell
from {{ ref('fct_quarantine') }}
