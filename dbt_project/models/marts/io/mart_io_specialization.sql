-- Krugman specialization of each province against all provinces (metrics.md "Region"), on the
-- manufacturing IO sectors' total output (row TI): K[i] = Σk |s[i,k] − S[k]|.
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

)

select
    cast(region_code as string) as province_code,
    cast(year as integer) as year,
    cast(count(*) as integer) as n_sectors,
    cast(max(region_total) as double) as manufacturing_output,
    cast(
        case
            when max(region_total) > 0
                then sum(abs(total_output / nullif(region_total, 0) - sector_total / nullif(universe_total, 0)))
        end as double
    ) as krugman_specialization,
    cast(case when not max(region_total) > 0 then 'zero_manufacturing_output' end as string) as null_reason

from totals
group by region_code, year
