-- mart_specialization_relative on each universe-year's common industries (industry_set year_common);
-- mart_specialization_relative_by_set holds every industry set.
{{ year_common_rows('mart_specialization_relative_by_set') }}
