-- Members of every region group: built-in, user-defined (int_region_group) and, for each
-- comparison pair a:b (var comparison_pairs), the union a+b, the universe in which the two
-- groups' provinces are compared with one another (bilateral indices, LQs, shift-share).
with

declared as (

    select
        group_code,
        cast(province_code as string) as province_code
    from {{ ref('region_group_member') }}

    union all

    select
        group_code,
        province_code
    from {{ source('raw', 'raw_region_group_member') }}

),

comparison_pairs as (

    select * from {{ comparison_pairs_relation() }}
    where group_a <> group_b

)

select * from declared

union

select
    comparison_pairs.group_a || '+' || comparison_pairs.group_b as group_code,
    declared.province_code
from comparison_pairs
inner join declared
    on declared.group_code in (comparison_pairs.group_a, comparison_pairs.group_b)
