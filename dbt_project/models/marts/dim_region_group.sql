with

groups as (

    select * from {{ ref('region_group') }}

),

members as (

    select
        group_code,
        count(*) as n_members,
        list(province_code order by province_code) as member_province_codes
    from {{ ref('region_group_member') }}
    group by group_code

)

select
    cast(groups.group_code as varchar) as group_code,
    cast(groups.name_zh as varchar) as name_zh,
    cast(groups.name_en as varchar) as name_en,
    cast(groups.description as varchar) as description,
    cast(members.n_members as integer) as n_members,
    cast(members.member_province_codes as varchar[]) as member_province_codes

from groups
left join members using (group_code)
