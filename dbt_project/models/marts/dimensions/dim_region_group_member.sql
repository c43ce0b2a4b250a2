select
    cast(group_code as string) as group_code,
    cast(province_code as string) as province_code

from {{ ref('int_region_group_member') }}
