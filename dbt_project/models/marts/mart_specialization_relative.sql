-- mart_specialization_relative on each universe-year's common industries (industry_set year_common), as
-- published before industry sets existed; mart_specialization_relative_by_set holds every set.
select *
from {{ ref('mart_specialization_relative_by_set') }}
where industry_set = 'year_common'
