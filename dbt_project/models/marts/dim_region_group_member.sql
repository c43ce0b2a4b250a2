select
    cast(group_code as varchar) as group_code,
    cast(province_code as varchar) as province_code

from {{ ref('region_group_member') }}
