-- Growth between any two years of a series (nominal): span 1 is year-on-year growth; CAGR is
-- (x[T]/x[t0])^(1/(T−t0)) − 1. Null, with a reason, when the base is missing or not positive.
-- Pairs whose years use different GB/T 4754 vintages are flagged, and every pair names the
-- known and detected series breaks it spans (int_series_break). The manufacturing total (C)
-- grows for every province: where the source prints none it is derived (int_industry_series),
-- and is_derived_total says so.
{{ growth_between_years(
    ref('int_industry_series'),
    series_keys=['province_code', 'industry_code', 'indicator'],
    period_column='source_vintage',
    break_flag='crosses_classification_break',
    series_breaks=ref('int_series_break'),
    break_keys=['province_code', 'indicator'],
    either_flag='is_derived_total'
) }}
