-- metrics.md ranges that depend on n: Herfindahl in [1/n, 1], entropy in [0, ln n],
-- specialization Gini in [0, (n−1)/n].
select *
from {{ ref('mart_region_structure_by_set') }}
where herfindahl < 1.0 / n_industries - 1e-12
    or shannon_entropy > ln(n_industries) + 1e-12
    or specialization_gini > (n_industries - 1.0) / n_industries + 1e-12
