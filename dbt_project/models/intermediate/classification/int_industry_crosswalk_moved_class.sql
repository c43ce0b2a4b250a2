-- The 4-digit links the crosswalk knowingly approximates: a 2002 class linked to a 2011 class
-- outside the 2011 division(s) its 2002 division is assigned to (e.g. 2002 1820 textile
-- footwear -> 2011 19). No 2-digit source measures them, so they are not split off.
with

links as (

    select * from {{ ref('stg_classification__concordance') }}
    where class_2002 is not null and class_2011 is not null

),

crosswalk as (

    select * from {{ ref('int_industry_crosswalk_2002_2011') }}

),

assigned as (

    select distinct code_2002 from crosswalk

)

select distinct
    left(links.class_2002, 2) as code_2002,
    links.class_2002,
    links.name_2002 as class_2002_name,
    links.class_2011,
    links.name_2011 as class_2011_name,
    left(links.class_2011, 2) as class_2011_division,
    first_value(links.raw_value_id) over (
        partition by links.class_2002, links.class_2011
        order by links.source_row
        rows between unbounded preceding and unbounded following
    ) as raw_value_id

from links
inner join assigned
    on assigned.code_2002 = left(links.class_2002, 2)
where not exists (
        select 1 from crosswalk
        where crosswalk.code_2002 = left(links.class_2002, 2)
            and crosswalk.code_2011 = left(links.class_2011, 2)
    )
