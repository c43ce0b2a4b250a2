select
    cast(group_code as varchar) as group_code,
    cast(province_code as varchar) as province_code

from {{ ref('int_region_group_member') }}
