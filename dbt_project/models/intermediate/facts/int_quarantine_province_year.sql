-- Province-years kept out of the metric universes because their manufacturing divisions do not
-- reconcile with the manufacturing total (policy in docs/data-quality.md): they explain too little of it
-- (Shanghai 2015: 17 divisions, 27%) or more than all of it (the total or a division is wrong).
with

coverage as (

    select * from {{ ref('int_manufacturing_coverage') }}
    where n_manufacturing_divisions_reported > 0

)

select
    province_code,
    year,
    indicator,
    coverage_ratio,
    manufacturing_total,
    manufacturing_total_basis,
    case
        when manufacturing_total <= 0 then 'no_positive_manufacturing_total'
        when coverage_ratio < {{ var('min_manufacturing_coverage') }} then 'low_coverage'
        when coverage_ratio > {{ var('max_manufacturing_coverage') }} then 'divisions_exceed_total'
    end as quarantine_reason,
    'manufacturing divisions sum to ' || round(manufacturing_divisions_sum, 2) || ' against a '
    || coalesce(manufacturing_total_basis, 'missing') || ' manufacturing total of '
    || coalesce(cast(round(manufacturing_total, 2) as string), 'null')
    || ' (coverage ' || coalesce(cast(round(coverage_ratio, 3) as string), 'null')
    || '; accepted {{ var("min_manufacturing_coverage") }}-{{ var("max_manufacturing_coverage") }})'
        as quarantine_detail

from coverage
-- A source without any total (the employment panel) cannot be reconciled: its coverage is
-- unknown (null), which is reported, not quarantined.
where manufacturing_total <= 0
    or coverage_ratio < {{ var('min_manufacturing_coverage') }}
    or coverage_ratio > {{ var('max_manufacturing_coverage') }}
