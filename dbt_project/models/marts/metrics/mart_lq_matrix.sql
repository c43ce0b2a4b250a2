-- Wide view of mart_location_quotient: one row per universe, province, year and indicator, one
-- column per manufacturing division (lq_13 … lq_43); null where the division is outside the
-- universe-year's common industry set.
{{ config(
    contract={'enforced': false},
    post_hook="{{ comment_wide_columns(this, 'lq_', 'Location quotient LQ[i,k] of division', 'dim_industry', 'industry_code', 'name_zh', 'name_en') }}"
) }}
-- depends_on: {{ ref('dim_industry') }}

select
    universe_code,
    province_code,
    year,
    indicator,
    {{ any_non_null('coverage') }} as coverage,
    {{ any_non_null('n_industries') }} as n_industries,
{%- for code in range(var('metric_industry_from') | int, (var('metric_industry_to') | int) + 1) %}
    max(lq) filter (where industry_code = '{{ "%02d" % code }}') as lq_{{ "%02d" % code }}{{ "," if not loop.last }}
{%- endfor %}

from {{ ref('mart_location_quotient') }}
group by universe_code, province_code, year, indicator
