-- The breaks a span of years can cross, as the time-series marts look them up: every known break
-- (province_code null: every province) and every detected level shift no known break explains
-- (one province). A span from t0 to t crosses a break when t0 < first_year <= t.
with

known as (

    select
        break_code,
        'known' as break_origin,
        indicator,
        province_code,
        first_year,
        name_en as description
    from {{ ref('int_statistical_break') }}

),

detected as (

    select
        'level_shift_' || province_code || '_' || year as break_code,
        'detected' as break_origin,
        indicator,
        province_code,
        year as first_year,
        'level shift detected in ' || year || ': the median division moved x' || round(province_median_ratio, 3)
        || ' against x' || round(national_median_ratio, 3) || ' nationally (robust z '
        || round(robust_z, 1) || ', ' || round(100 * share_moving_together) || '% of '
        || n_divisions || ' divisions moving together); no known break explains it' as description
    from {{ ref('int_series_level_shift') }}
    where explanation = 'unexplained'

)

select * from known
union all
select * from detected
