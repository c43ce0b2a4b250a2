-- Growth of high-tech indicators of every region group (yrd, jjj, user-defined groups as much as
-- the macro-regions) between any two editions, from the sum of members (mart_hightech_group).
-- A year in which a member does not report counts as missing, so a group never grows by gaining
-- a member; pairs across the 2016 -> 2018 series basis change are flagged and named.
{% set complete_sums %}
(
    select
        group_code,
        indicator,
        year,
        case when n_members_reporting = n_members then sum_of_members end as value,
        series_basis
    from {{ ref('mart_hightech_group') }}
)
{% endset %}

{{ growth_between_years(
    complete_sums,
    series_keys=['group_code', 'indicator'],
    period_column='series_basis',
    break_flag='crosses_series_break',
    series_breaks=ref('int_series_break'),
    break_keys=['indicator']
) }}
