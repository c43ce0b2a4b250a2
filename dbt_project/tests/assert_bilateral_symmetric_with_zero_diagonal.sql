-- metrics.md: both pair metrics are symmetric, K[i,j] = K[j,i] and S[i,j] = S[j,i], with
-- K[i,i] = 0 and S[i,i] = 1 (where defined).
select
    a.universe_code,
    a.industry_set,
    a.year,
    a.indicator,
    a.province_code,
    a.partner_province_code,
    a.krugman_bilateral,
    b.krugman_bilateral as reverse_krugman,
    a.structural_similarity,
    b.structural_similarity as reverse_similarity
from {{ ref('mart_specialization_bilateral_by_set') }} as a
left join {{ ref('mart_specialization_bilateral_by_set') }} as b
    on a.universe_code = b.universe_code
        and a.industry_set = b.industry_set
        and a.year = b.year
        and a.indicator = b.indicator
        and a.partner_province_code = b.province_code
        and a.province_code = b.partner_province_code
where b.province_code is null
    or abs(a.krugman_bilateral - b.krugman_bilateral) > 1e-12
    or abs(a.structural_similarity - b.structural_similarity) > 1e-12
    or (
        a.province_code = a.partner_province_code
        and (abs(a.krugman_bilateral) > 1e-12 or abs(a.structural_similarity - 1) > 1e-12)
    )
