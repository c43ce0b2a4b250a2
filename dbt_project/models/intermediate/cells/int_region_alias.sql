-- Every printed region name a source may use, whitespace removed, resolved to a province or a
-- region group (the nation, a macro-region) for the data years it means that: the same printed
-- 东部地区 is a different group in different editions (seed region_group_alias).
with

provinces as (

    select * from {{ ref('int_province_alias') }}

),

groups as (

    select * from {{ ref('region_group_alias') }}

)

select
    alias_key,
    province_code as region_code,
    'province' as region_kind,
    0 as first_year,
    9999 as last_year

from provinces

union all

select
    {{ normalise_label('alias') }} as alias_key,
    group_code as region_code,
    case when group_code = 'national' then 'national' else 'macro_region' end as region_kind,
    first_year,
    last_year

from groups
