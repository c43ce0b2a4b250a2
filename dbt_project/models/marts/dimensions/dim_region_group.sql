with

groups as (

    select * from {{ ref('int_region_group') }}

),

members as (

    select
        group_code,
        count(*) as n_members,
        {{ ordered_list('province_code') }} as member_province_codes
    from {{ ref('int_region_group_member') }}
    group by group_code

)

select
    cast(groups.group_code as string) as group_code,
    cast(groups.name_zh as string) as name_zh,
    cast(groups.name_en as string) as name_en,
    cast(groups.description as string) as description,
    cast(members.n_members as integer) as n_members,
    cast(members.member_province_codes as {{ type_string_list() }}) as member_province_codes,
    cast(groups.is_user_defined as boolean) as is_user_defined,
    cast(groups.source_file as string) as source_file

from groups
left join members using (group_code)
