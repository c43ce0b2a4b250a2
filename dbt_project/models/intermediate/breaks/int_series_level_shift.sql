-- Level shifts of a province's whole series: years in which most of its divisions move together
-- far beyond the national movement (a change of scope or compilation, not of the economy).
-- Robust statistics throughout (docs/data-quality.md "Series breaks and value checks"):
--   province move m[p,t] = median over divisions k of x[p,k,t] / x[p,k,t-1]
--   national move M[t]   = median over provinces of m[p,t]
--   relative move r      = m / M, and its robust z-score among all province-years of the
--                          indicator: (ln r − median ln r) / (1.4826 · MAD ln r)
--   agreement            = share of divisions moving beyond level_shift_division_factor
--                          against M in the direction of r
-- A province-year is a level shift when |z|, |ln r| and the agreement all pass their vars.
-- Consecutive years only; quarantined values (null) and non-positive values take no part.
with

division_moves as (

    select * from {{ ref('int_division_moves') }}

),

province_moves as (

    select
        province_code,
        indicator,
        year,
        count(*) as n_divisions,
        median(ratio) as province_median_ratio
    from division_moves
    group by province_code, indicator, year
    having count(*) >= {{ var('level_shift_min_divisions') }}

),

national_moves as (

    select
        indicator,
        year,
        median(province_median_ratio) as national_median_ratio
    from province_moves
    group by indicator, year

),

relative_moves as (

    select
        province_moves.*,
        national_moves.national_median_ratio,
        province_moves.province_median_ratio / national_moves.national_median_ratio as relative_move,
        ln(province_moves.province_median_ratio / national_moves.national_median_ratio) as log_move
    from province_moves
    inner join national_moves using (indicator, year)

),

centres as (

    select
        indicator,
        median(log_move) as log_move_median
    from relative_moves
    group by indicator

),

spreads as (

    select
        indicator,
        1.4826 * median(abs(relative_moves.log_move - centres.log_move_median)) as log_move_mad
    from relative_moves
    inner join centres using (indicator)
    group by indicator

),

agreement as (

    select
        division_moves.province_code,
        division_moves.indicator,
        division_moves.year,
        avg(case
            when relative_moves.relative_move >= 1
                then cast(
                        division_moves.ratio / relative_moves.national_median_ratio
                        >= {{ var('level_shift_division_factor') }} as integer
                    )
            else cast(
                    relative_moves.national_median_ratio / division_moves.ratio
                    >= {{ var('level_shift_division_factor') }} as integer
                )
        end) as share_moving_together
    from division_moves
    inner join relative_moves using (province_code, indicator, year)
    group by division_moves.province_code, division_moves.indicator, division_moves.year

),

known_breaks as (

    select
        indicator,
        first_year as year,
        {{ ordered_string_agg('break_code', "', '") }} as known_break_codes
    from {{ ref('int_statistical_break') }}
    group by indicator, first_year

),

scored as (

    select
        relative_moves.*,
        (relative_moves.log_move - centres.log_move_median) / nullif(spreads.log_move_mad, 0) as robust_z,
        agreement.share_moving_together,
        known_breaks.known_break_codes
    from relative_moves
    inner join centres using (indicator)
    inner join spreads using (indicator)
    inner join agreement using (province_code, indicator, year)
    left join known_breaks using (indicator, year)

),

flagged as (

    select
        *,
        coalesce(abs(robust_z) >= {{ var('level_shift_min_robust_z') }}, false)
        and abs(log_move) >= ln({{ var('level_shift_min_factor') }})
        and share_moving_together >= {{ var('level_shift_min_agreement') }} as is_level_shift
    from scored

)

select
    cast(province_code as string) as province_code,
    cast(indicator as string) as indicator,
    cast(year - 1 as integer) as base_year,
    cast(year as integer) as year,
    cast(n_divisions as integer) as n_divisions,
    cast(province_median_ratio as double) as province_median_ratio,
    cast(national_median_ratio as double) as national_median_ratio,
    cast(relative_move as double) as relative_move,
    cast(robust_z as double) as robust_z,
    cast(share_moving_together as double) as share_moving_together,
    cast(is_level_shift as boolean) as is_level_shift,
    cast(case when is_level_shift then known_break_codes end as string) as known_break_codes,
    cast(case
        when not is_level_shift then null
        when known_break_codes is not null then 'known_break'
        else 'unexplained'
    end as string) as explanation
from flagged
