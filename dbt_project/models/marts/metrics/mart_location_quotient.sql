-- mart_location_quotient on each universe-year's common industries (industry_set year_common);
-- mart_location_quotient_by_set holds every industry set.
{{ year_common_rows('mart_location_quotient_by_set') }}
