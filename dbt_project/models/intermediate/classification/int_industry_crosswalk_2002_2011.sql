-- The GB/T 4754-2002 -> 2011 crosswalk of 2-digit divisions, derived from the official 4-digit
-- concordance (raw.raw_classification) by a stated rule, with weights summing to 1 per 2002
-- division:
--   1. Each link of a 2002 4-digit class to a 2011 class is one vote of its 2002 division for the
--      2011 division (first two digits). Links outside divisions 06-46 count in the total only.
--   2. A 2011 division descends from a 2002 division when at least var crosswalk_descent_share
--      of its links come from it and it does not continue another 2002 division (is not another
--      one's principal successor, rule 3: 2011's 18 apparel gets most links from 2002's 17
--      textiles, knitwear, but continues 2002's 18). A 2002 division is split when two or more
--      2011 divisions descend from it and together take at least var crosswalk_split_coverage
--      of its links: it is then (nearly) their union. The weights
--      are their shares in the first 2011-vintage year of the source named by var
--      crosswalk_weight_source (the revenue panel), pooled over the provinces that report all of
--      them; where no province does, the link shares. On the real concordance this splits only 2002's 37 transport
--      equipment into 2011's 36 autos and 37 other transport.
--   3. Every other 2002 division goes with weight 1 to its principal successor: the 2011
--      division with most of its links, a tie going to the one with the same name. The links
--      that go elsewhere are listed in dim_industry_crosswalk_moved_class.
with

links as (

    select distinct
        class_2002,
        class_2011,
        left(class_2002, 2) as code_2002,
        left(class_2011, 2) as code_2011

    from {{ ref('stg_classification__concordance') }}
    where class_2002 is not null and class_2011 is not null

),

divisions_2002 as (

    select
        industry_code,
        name_zh
    from {{ ref('industry_division') }}
    where vintage = '2002'

),

divisions_2011 as (

    select
        industry_code,
        name_zh
    from {{ ref('industry_division') }}
    where vintage = '2011'

),

votes as (

    select
        links.code_2002,
        links.code_2011,
        count(*) as n_links
    from links
    inner join divisions_2002 on links.code_2002 = divisions_2002.industry_code
    group by links.code_2002, links.code_2011

),

votes_shared as (

    select
        votes.*,
        sum(n_links) over (partition by code_2002) as n_links_2002,
        n_links / sum(n_links) over (partition by code_2011) as descent_share,
        divisions_2011.industry_code is not null as is_division_2011

    from votes
    left join divisions_2011 on votes.code_2011 = divisions_2011.industry_code

),

principal as (

    select
        code_2002,
        code_2011,
        n_links,
        n_links_2002
    from (
        select
            votes_shared.code_2002,
            votes_shared.code_2011,
            votes_shared.n_links,
            votes_shared.n_links_2002,
            row_number() over (
                partition by votes_shared.code_2002
                order by
                    votes_shared.n_links desc,
                    (divisions_2011.name_zh = divisions_2002.name_zh) desc nulls last,
                    votes_shared.code_2011
            ) as principal_rank
        from votes_shared
        inner join divisions_2002 on votes_shared.code_2002 = divisions_2002.industry_code
        left join divisions_2011 on votes_shared.code_2011 = divisions_2011.industry_code
        where votes_shared.is_division_2011
    ) as ranked
    where principal_rank = 1

),

descendants as (

    select *
    from votes_shared
    where is_division_2011
        and descent_share >= {{ var('crosswalk_descent_share') }}
        and not exists (
            select 1 from principal
            where principal.code_2011 = votes_shared.code_2011
                and principal.code_2002 <> votes_shared.code_2002
        )

),

splits as (

    select code_2002
    from descendants
    group by code_2002
    having count(*) >= 2
        and sum(n_links) / {{ any_non_null('n_links_2002') }} >= {{ var('crosswalk_split_coverage') }}

),

weight_year as (

    select min(first_year) as year
    from {{ ref('source_classification_vintage') }}
    where vintage = '2011' and source_family = '{{ var("crosswalk_weight_source") }}'

),

descendant_counts as (

    select
        code_2002,
        count(*) as n_descendants
    from descendants
    group by code_2002

),

split_revenue as (

    -- 2011-vintage cells of the split's successors, in provinces that report all of them
    select
        code_2002,
        code_2011,
        province_code,
        value_converted
    from (
        select
            descendants.code_2002,
            descendants.code_2011,
            cells.province_code,
            cells.value_converted,
            descendant_counts.n_descendants,
            count(*) over (partition by descendants.code_2002, cells.province_code) as n_reported
        from descendants
        inner join splits on descendants.code_2002 = splits.code_2002
        inner join descendant_counts on descendants.code_2002 = descendant_counts.code_2002
        inner join {{ ref('int_cells_quarantine_applied') }} as cells
            on cells.mapping_vintage = '2011'
                and descendants.code_2011 = cells.mapping_code
                and cells.label_kind = 'division'
                and cells.source_family = '{{ var("crosswalk_weight_source") }}'
                and cells.year = (select year from weight_year)
                and cells.value_converted > 0
    ) as reported
    where n_reported = n_descendants

),

split_weights as (

    select
        descendants.code_2002,
        descendants.code_2011,
        coalesce(
            sum(split_revenue.value_converted)
            / nullif(sum(sum(split_revenue.value_converted)) over (partition by descendants.code_2002), 0),
            descendants.n_links / sum(descendants.n_links) over (partition by descendants.code_2002)
        ) as weight,
        case when count(split_revenue.province_code) > 0 then 'revenue_share' else 'link_share' end as method,
        count(distinct split_revenue.province_code) as n_provinces,
        {{ ordered_string_agg('split_revenue.province_code', "', '", distinct=true) }} as provinces

    from descendants
    inner join splits using (code_2002)
    left join split_revenue using (code_2002, code_2011)
    group by descendants.code_2002, descendants.code_2011, descendants.n_links

)

select
    code_2002,
    code_2011,
    weight,
    method,
    case method
        when 'revenue_share'
            then 'revenue shares in ' || (select year from weight_year)
                || ' pooled over ' || n_provinces || ' provinces reporting every successor: ' || provinces
        else 'link shares (no province reports every successor in ' || (select year from weight_year) || ')'
    end as derivation

from split_weights

union all

select
    principal.code_2002,
    principal.code_2011,
    1.0 as weight,
    case when principal.n_links = principal.n_links_2002 then 'one_to_one' else 'principal_successor' end as method,
    principal.n_links || ' of ' || principal.n_links_2002 || ' 4-digit links go to 2011 '
    || principal.code_2011 as derivation

from principal
where principal.code_2002 not in (select code_2002 from splits)
