with

provinces as (

    select * from {{ ref('province') }}

),

aliases as (

    select
        province_code,
        {{ ordered_list('alias') }} as aliases
    from {{ ref('province_alias') }}
    group by province_code

)

select
    cast(provinces.province_code as string) as province_code,
    cast(provinces.name_short_zh as string) as name_short_zh,
    cast(provinces.name_full_zh as string) as name_full_zh,
    cast(provinces.name_en as string) as name_en,
    cast(provinces.macro_region as string) as macro_region,
    cast(aliases.aliases as {{ type_string_list() }}) as aliases

from provinces
left join aliases using (province_code)
