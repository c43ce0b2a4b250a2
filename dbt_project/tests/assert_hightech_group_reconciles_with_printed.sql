-- The members' sum of every printed high-tech subtotal (the nation, the NBS macro-regions) is
-- within rounding of it (mart_hightech_group.reconciles_with_printed). A failing row names the
-- edition, the group, the member regions the edition's winning copy has no value for (a region
-- row deleted or lost in every copy), and the files of the edition, so the refusal says where
-- to look.
{{ config(store_failures=true, meta={'dagster': {'ref': {'name': 'mart_hightech_group'}}}) }}

with

unreconciled as (

    select * from {{ ref('mart_hightech_group') }}
    where not reconciles_with_printed

),

members as (

    select
        members.group_code,
        cast(members.province_code as string) as province_code,
        provinces.name_short_zh
    from {{ ref('int_region_group_member') }} as members
    inner join {{ ref('province') }} as provinces
        on cast(members.province_code as string) = cast(provinces.province_code as string)

),

reporting as (

    select
        region_code as province_code,
        year,
        indicator
    from {{ ref('int_hightech_indicator') }}
    where region_kind = 'province' and value is not null

),

missing as (

    select
        unreconciled.group_code,
        unreconciled.year,
        unreconciled.indicator,
        {{ ordered_list("members.name_short_zh || ' (' || members.province_code || ')'") }} as missing_regions
    from unreconciled
    inner join members on unreconciled.group_code = members.group_code
    left join reporting
        on members.province_code = reporting.province_code
            and unreconciled.year = reporting.year
            and unreconciled.indicator = reporting.indicator
    where reporting.province_code is null
    group by unreconciled.group_code, unreconciled.year, unreconciled.indicator

),

copies as (

    select
        edition_year,
        max(case when is_winning_copy then source_file end) as source_file,
        {{ ordered_list('source_file') }} as edition_files
    from {{ ref('int_hightech_copies') }}
    group by edition_year

)

select
    unreconciled.year as edition,
    unreconciled.group_code,
    unreconciled.indicator,
    missing.missing_regions,
    copies.source_file,
    copies.edition_files,
    unreconciled.printed_total,
    unreconciled.sum_of_members,
    unreconciled.difference_from_printed,
    unreconciled.rounding_tolerance

from unreconciled
left join missing
    on unreconciled.group_code = missing.group_code
        and unreconciled.year = missing.year
        and unreconciled.indicator = missing.indicator
left join copies on unreconciled.year = copies.edition_year
