-- Every source's cells in one shape, so labelling, quality checks, harmonisation and facts are
-- written once for all sources. A new source adds a staging model and a line here.
with

wind_mbr as (

    select * from {{ ref('stg_wind__mbr') }}

),

employment as (

    select * from {{ ref('stg_employment__panel') }}

),

wages as (

    -- averages, not additive: labelled and checked like the rest, then kept out of the
    -- additive facts (int_cells__harmonised) and given their own (fct_average_wage)
    select * from {{ ref('stg_employment__wage') }}

)

select * from wind_mbr
union all by name
select * from employment
union all by name
select * from wages
