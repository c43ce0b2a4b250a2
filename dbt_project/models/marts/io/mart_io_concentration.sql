-- Geographic concentration of each manufacturing IO sector's total output (row TI) across the
-- provinces whose tables a benchmark year has (metrics.md "Industry"), with the universe the
-- provinces' manufacturing IO sectors: σ[i,k] = x[i,k]/X[k], λ[i] = X[i]/X, LQ = σ/λ.
with

sectors as (

    select * from {{ ref('int_io_sectors') }}
    where region_kind = 'province' and section = 'manufacturing'

),

totals as (

    select
        *,
        sum(total_output) over (partition by year, io_code) as sector_total,
        sum(total_output) over (partition by year, region_code) as region_total,
        sum(total_output) over (partition by year) as universe_total

    from sectors

),

shares as (

    select
        *,
        total_output / nullif(sector_total, 0) as sigma,
        region_total / nullif(universe_total, 0) as region_weight

    from totals

),

per_sector as (

    select
        io_code,
        year,
        {{ any_non_null('io_sector_name') }} as io_sector_name,
        count(*) as n_provinces,
        count(sigma) = count(*) as is_defined,
        sum(abs(sigma - region_weight)) as krugman_concentration,
        -- localization curve: regions by ascending LQ = σ/λ, cumulative σ against cumulative λ
        {% set by_lq = ['case when region_weight > 0 then sigma / region_weight end', 'region_code'] -%}
        {{ localization_curve_area_twice('region_weight', 'sigma', by_lq) }} as curve_area_twice,  -- noqa: PRS
        {{ any_non_null('sector_total') }} as sector_total

    from shares
    group by io_code, year

)

select
    cast(io_code as string) as io_code,
    cast(year as integer) as year,
    cast(io_sector_name as string) as io_sector_name,
    cast(n_provinces as integer) as n_provinces,
    cast(sector_total as double) as total_output,
    -- Hoover localization coefficient ½ Σi |σ[i,k] − λ[i]|
    cast(case when is_defined then krugman_concentration / 2 end as double) as hoover_localization,
    -- locational Gini, full scale: twice the area between the localization curve and the diagonal
    cast(case when is_defined then 1 - curve_area_twice end as double) as locational_gini,
    cast(case when not is_defined then 'zero_sector_total' end as string) as null_reason

from per_sector
