select
    cast(code_2002 as string) as code_2002,
    cast(class_2002 as string) as class_2002,
    cast(class_2002_name as string) as class_2002_name,
    cast(class_2011 as string) as class_2011,
    cast(class_2011_name as string) as class_2011_name,
    cast(class_2011_division as string) as class_2011_division,
    cast(raw_value_id as string) as raw_value_id

from {{ ref('int_industry_crosswalk_moved_class') }}
