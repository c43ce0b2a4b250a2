-- Every region group: the built-in ones (seeds), those the user defines in REGION_GROUPS_FILE
-- (their codes never repeat a built-in one: orchestration/region_groups.py refuses them), and the
-- union a+b of each comparison pair (var comparison_pairs; '+' never appears in a declared code).
with

declared as (

    select
        group_code,
        name_zh,
        name_en,
        description,
        false as is_user_defined,
        cast(null as string) as source_file
    from {{ ref('region_group') }}

    union all

    select distinct
        group_code,
        name_zh,
        name_en,
        description,
        true as is_user_defined,
        source_file
    from {{ source('raw', 'raw_region_group_member') }}

),

comparison_pairs as (

    select * from {{ comparison_pairs_relation() }}
    where group_a <> group_b

)

select * from declared

union

select
    a.group_code || '+' || b.group_code as group_code,
    a.name_zh || ' + ' || b.name_zh as name_zh,
    a.name_en || ' + ' || b.name_en as name_en,
    'Union of ' || a.group_code || ' and ' || b.group_code
    || ', the universe in which a comparison pair''s provinces are compared (REPORT_PAIRS)' as description,
    false as is_user_defined,
    cast(null as string) as source_file
from comparison_pairs
inner join declared as a on comparison_pairs.group_a = a.group_code
inner join declared as b on comparison_pairs.group_b = b.group_code
