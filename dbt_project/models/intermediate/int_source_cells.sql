-- Every source's cells in one shape, so labelling, quality checks, harmonisation and facts are
-- written once for all sources. A new source adds a staging model and a line here.
with

wind_mbr as (

    select * from {{ ref('stg_wind__mbr') }}

),

employment as (

    select * from {{ ref('stg_employment__panel') }}

)

select * from wind_mbr
union all by name
select * from employment
