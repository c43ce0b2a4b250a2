-- Wide view of mart_specialization_bilateral: one row per universe, province, year and
-- indicator, one column per partner province (k_110000 …) holding K[i,j]; null where the partner
-- is not in the universe or has no data that year.
{{ config(
    contract={'enforced': false},
    post_hook="{{ comment_wide_columns(this, 'k_', 'Bilateral Krugman index K[i,j] against province', 'dim_province', 'province_code', 'name_short_zh', 'name_en') }}"
) }}
-- depends_on: {{ ref('province') }}
-- depends_on: {{ ref('dim_province') }}

{%- set partners = [] -%}
{%- if execute and load_relation(ref('province')) is not none -%}
    {%- set partners = run_query("select province_code from " ~ ref('province') ~ " order by province_code").columns[0].values() -%}
{%- endif %}

select
    universe_code,
    province_code,
    year,
    indicator
    {%- for code in partners %},
    max(krugman_bilateral) filter (where partner_province_code = '{{ code }}') as k_{{ code }}
    {%- endfor %}

from {{ ref('mart_specialization_bilateral') }}
group by universe_code, province_code, year, indicator
