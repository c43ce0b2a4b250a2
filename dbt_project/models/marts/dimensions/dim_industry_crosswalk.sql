-- The 2002 -> 2011 division crosswalk the facts use, with how each weight was derived and the
-- concordance links behind it (published so users can see and cite the convention).
with

crosswalk as (

    select * from {{ ref('int_industry_crosswalk_2002_2011') }}

),

moved as (

    select
        code_2002,
        count(*) as n_moved_links
    from {{ ref('int_industry_crosswalk_moved_class') }}
    group by code_2002

)

select
    cast(crosswalk.code_2002 as string) as code_2002,
    cast(crosswalk.code_2011 as string) as code_2011,
    cast(crosswalk.weight as double) as weight,
    cast(crosswalk.method as string) as method,
    cast(crosswalk.derivation as string) as derivation,
    cast(coalesce(moved.n_moved_links, 0) as integer) as n_links_moved_elsewhere

from crosswalk
left join moved using (code_2002)
