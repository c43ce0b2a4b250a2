-- Growth and CAGR of region-group totals between any two years (nominal), as mart_growth does
-- for provinces. A year whose total misses a member counts as missing (null growth, with the
-- reason), so a group never "grows" by gaining a member. Breaks of any member are named.
{% set complete_totals %}
(
    select
        group_code,
        industry_code,
        indicator,
        year,
        case when is_complete then group_total end as value,
        source_vintages,
        is_derived_total
    from {{ ref('int_group_totals') }}
)
{% endset %}

{{ growth_between_years(
    complete_totals,
    series_keys=['group_code', 'industry_code', 'indicator'],
    period_column='source_vintages',
    break_flag='crosses_classification_break',
    series_breaks=ref('int_group_series_break'),
    break_keys=['group_code', 'indicator'],
    either_flag='is_derived_total'
) }}
