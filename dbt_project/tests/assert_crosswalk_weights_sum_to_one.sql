-- metrics.md: crosswalk split weights sum to 1 per source code.
select
    code_2002,
    sum(weight) as total_weight
from {{ ref('int_industry_crosswalk_2002_2011') }}
group by code_2002
having abs(sum(weight) - 1) > 1e-12
