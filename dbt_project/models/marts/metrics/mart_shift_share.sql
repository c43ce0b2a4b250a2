-- mart_shift_share on each universe-year's common industries (industry_set year_common);
-- mart_shift_share_by_set holds every industry set.
{{ year_common_rows('mart_shift_share_by_set') }}
