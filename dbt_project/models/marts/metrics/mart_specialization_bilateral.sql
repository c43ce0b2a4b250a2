-- mart_specialization_bilateral on each universe-year's common industries (industry_set year_common);
-- mart_specialization_bilateral_by_set holds every industry set.
{{ year_common_rows('mart_specialization_bilateral_by_set') }}
