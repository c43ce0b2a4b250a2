-- mart_industry_concentration on each universe-year's common industries (industry_set year_common);
-- mart_industry_concentration_by_set holds every industry set.
{{ year_common_rows('mart_industry_concentration_by_set') }}
