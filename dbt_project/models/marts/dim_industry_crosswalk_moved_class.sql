select
    cast(code_2002 as varchar) as code_2002,
    cast(class_2002 as varchar) as class_2002,
    cast(class_2002_name as varchar) as class_2002_name,
    cast(class_2011 as varchar) as class_2011,
    cast(class_2011_name as varchar) as class_2011_name,
    cast(class_2011_division as varchar) as class_2011_division,
    cast(raw_value_id as varchar) as raw_value_id

from {{ ref('int_industry_crosswalk_moved_class') }}
