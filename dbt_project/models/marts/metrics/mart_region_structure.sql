-- mart_region_structure on each universe-year's common industries (industry_set year_common);
-- mart_region_structure_by_set holds every industry set.
{{ year_common_rows('mart_region_structure_by_set') }}
