-- Growth of high-tech indicators between any two editions, for provinces, macro-regions and the
-- nation: span 1 (or 2 across the missing 2017 edition) is growth on the previous edition; CAGR
-- over longer spans. Pairs across the 2016 -> 2018 series break are flagged, not adjusted, and
-- name the break (int_series_break).
{{ growth_between_years(
    ref('int_hightech_indicator'),
    series_keys=['region_code', 'region_kind', 'indicator'],
    period_column='series_basis',
    break_flag='crosses_series_break',
    series_breaks=ref('int_series_break'),
    break_keys=['indicator']
) }}
