-- The series breaks a group's totals can cross: a break of every province (province_code null)
-- applies to every group; a detected shift of one province applies to the groups it belongs to.
select
    breaks.break_code,
    breaks.indicator,
    members.group_code,
    breaks.first_year
from {{ ref('int_series_break') }} as breaks
inner join {{ ref('int_region_group_member') }} as members
    on breaks.province_code = members.province_code

union all

select
    break_code,
    indicator,
    cast(null as string) as group_code,
    first_year
from {{ ref('int_series_break') }}
where province_code is null
