with

provinces as (

    select * from {{ ref('province') }}

),

aliases as (

    select
        province_code,
        list(alias order by alias) as aliases
    from {{ ref('province_alias') }}
    group by province_code

)

select
    cast(provinces.province_code as varchar) as province_code,
    cast(provinces.name_short_zh as varchar) as name_short_zh,
    cast(provinces.name_full_zh as varchar) as name_full_zh,
    cast(provinces.name_en as varchar) as name_en,
    cast(provinces.macro_region as varchar) as macro_region,
    cast(aliases.aliases as varchar[]) as aliases

from provinces
left join aliases using (province_code)
