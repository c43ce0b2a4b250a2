-- metrics.md: the UNIDO similarity is symmetric with S[i,i] = 1 (where defined).
select a.universe_code, a.year, a.indicator, a.province_code, a.partner_province_code,
    a.structural_similarity, b.structural_similarity as reverse_value
from {{ ref('mart_specialization_bilateral') }} as a
inner join {{ ref('mart_specialization_bilateral') }} as b
    on b.universe_code = a.universe_code
    and b.year = a.year
    and b.indicator = a.indicator
    and b.province_code = a.partner_province_code
    and b.partner_province_code = a.province_code
where abs(a.structural_similarity - b.structural_similarity) > 1e-12
    or (a.province_code = a.partner_province_code and abs(a.structural_similarity - 1) > 1e-12)
