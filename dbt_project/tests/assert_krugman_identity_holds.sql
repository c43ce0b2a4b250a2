-- metrics.md: K[i] = (1 − λ[i])·Krel[i] for every member of the universe, within 1e-9.
select
    universe_code,
    industry_set,
    province_code,
    year,
    indicator,
    krugman_vs_universe,
    krugman_vs_rest,
    region_weight
from {{ ref('mart_specialization_relative_by_set') }}
where krugman_vs_universe is not null
    and krugman_vs_rest is not null
    and abs(krugman_vs_universe - (1 - region_weight) * krugman_vs_rest) > 1e-9
