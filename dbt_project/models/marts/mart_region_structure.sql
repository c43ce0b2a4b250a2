-- mart_region_structure on each universe-year's common industries (industry_set year_common), as
-- published before industry sets existed; mart_region_structure_by_set holds every set. A view in
-- the DuckDB build (macros/portable/materializations.sql); publishing copies it into a table like
-- every mart.
{{ config(materialized=filtered_mart_materialization()) }}

select *
from {{ ref('mart_region_structure_by_set') }}
where industry_set = 'year_common'
