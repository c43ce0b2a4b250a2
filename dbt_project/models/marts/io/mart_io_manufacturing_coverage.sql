-- What the revenue panel's divisions miss, estimated from the input-output tables: per province
-- and benchmark year, each manufacturing IO sector is `complete` when the panel reports every
-- division mapped to it, `partial` when some, `missing` when none. IO output cannot be split
-- within a sector, so the share of manufacturing output the panel misses is bracketed:
-- at least the missing sectors' share, at most that plus the partial sectors' share.
-- IO tables cover all producers, the panel only enterprises above designated size: the shares
-- say where the panel's industry set is incomplete, not how large its firms are.
with

io as (

    select * from {{ ref('int_io_sectors') }}
    where region_kind = 'province' and section = 'manufacturing'

),

mapping as (

    select * from {{ ref('io_sector_division') }}
    where section = 'manufacturing'

),

panel as (

    select
        province_code,
        year,
        industry_code
    from {{ ref('int_industry_facts') }}
    where indicator = 'main_business_revenue'
        and industry_level = 'division'
        and value is not null

),

panel_years as (

    select distinct
        province_code,
        year
    from panel

),

sector_status as (

    select
        io.region_code as province_code,
        io.year,
        io.io_code,
        io.io_sector_name,
        io.total_output,
        count(mapping.industry_code) as n_divisions,
        count(panel.industry_code) as n_divisions_reported,
        {{ ordered_list('mapping.industry_code', where='panel.industry_code is null') }} as divisions_missing

    from io
    inner join panel_years
        on io.region_code = panel_years.province_code
            and io.year = panel_years.year
    inner join mapping
        on io.year = mapping.io_edition
            and io.io_code = mapping.io_code
    left join panel
        on io.region_code = panel.province_code
            and io.year = panel.year
            and mapping.industry_code = panel.industry_code
    group by all

),

classified as (

    select
        *,
        case
            when n_divisions_reported = n_divisions then 'complete'
            when n_divisions_reported = 0 then 'missing'
            else 'partial'
        end as status

    from sector_status

)

select
    cast(province_code as string) as province_code,
    cast(year as integer) as year,
    cast(sum(total_output) as double) as io_manufacturing_output,
    cast(coalesce(sum(total_output) filter (where status = 'missing'), 0) / sum(total_output) as double)
        as share_missing_lower_bound,
    cast(coalesce(sum(total_output) filter (where status <> 'complete'), 0) / sum(total_output) as double)
        as share_missing_upper_bound,
    cast(count(*) filter (where status = 'complete') as integer) as n_sectors_complete,
    cast(count(*) filter (where status = 'partial') as integer) as n_sectors_partial,
    cast(count(*) filter (where status = 'missing') as integer) as n_sectors_missing,
    coalesce(
        cast({{ ordered_list('io_sector_name', 'io_code', where="status = 'missing'") }} as {{ type_string_list() }}),
        {{ empty_string_list() }}
    ) as sectors_missing,
    coalesce(
        cast({{ ordered_list('io_sector_name', 'io_code', where="status = 'partial'") }} as {{ type_string_list() }}),
        {{ empty_string_list() }}
    ) as sectors_partial,
    coalesce(
        cast(
            flatten({{ ordered_list('divisions_missing', 'io_code', where="status <> 'complete'") }})
            as {{ type_string_list() }}
        ),
        {{ empty_string_list() }}
    ) as divisions_missing

from classified
group by province_code, year
