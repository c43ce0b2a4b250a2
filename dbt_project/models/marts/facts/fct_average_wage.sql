-- Average wage (城镇单位就业人员平均工资, 元 per person and year) by province, GB/T 4754-2011
-- division and year, from the labour-statistics panel. A wage is an average, not additive: it
-- never enters fct_industry_indicator or the share-based metrics. Aggregates (B mining,
-- C manufacturing, D utilities, BCD all three) and the national average of each division are
-- means weighted by urban-unit employment of the same panel, over the divisions (provinces)
-- that report both; n_weighted and employment_weight say over what.
with

wages as (

    select
        province_code,
        year,
        mapping_code as industry_code,
        value_converted as average_wage,
        value_flag,
        raw_value_id,
        source_file

    from {{ ref('int_cells_quarantine_applied') }}
    where indicator = 'average_wage' and label_kind = 'division'

),

employment as (

    select
        province_code,
        year,
        industry_code,
        value as employment
    from {{ ref('int_industry_facts') }}
    where indicator = 'employment' and industry_level = 'division'

),

divisions as (

    select
        industry_code,
        sector
    from {{ ref('industry_division') }}
    where vintage = '2011'

),

paired as (

    select
        wages.*,
        employment.employment,
        divisions.sector
    from wages
    left join employment using (province_code, year, industry_code)
    left join divisions using (industry_code)

),

division_rows as (

    select
        province_code,
        year,
        industry_code,
        'division' as industry_level,
        average_wage,
        value_flag,
        employment as employment_weight,
        1 as n_weighted,
        {{ list_of(['raw_value_id']) }} as source_value_ids

    from paired

),

aggregate_rows as (

    select
        province_code,
        year,
        aggregates.industry_code,
        aggregates.industry_level,
        sum(average_wage * employment) / nullif(sum(employment), 0) as average_wage,
        'employment_weighted' as value_flag,
        sum(employment) as employment_weight,
        count(*) as n_weighted,
        {{ ordered_list('raw_value_id', 'paired.industry_code') }} as source_value_ids

    from paired
    inner join (
        values ('B', 'section', 'mining'), ('C', 'section', 'manufacturing'), ('D', 'section', 'utilities'),
        ('BCD', 'total', null)
    ) as aggregates (industry_code, industry_level, sector)
        on paired.sector = aggregates.sector or aggregates.sector is null
    where average_wage is not null and employment > 0
    group by province_code, year, aggregates.industry_code, aggregates.industry_level

),

all_rows as (

    select * from division_rows
    union all
    select * from aggregate_rows

),

national as (

    -- employment-weighted mean over the provinces reporting both, per industry and year
    select
        industry_code,
        year,
        sum(average_wage * employment_weight) / nullif(sum(employment_weight), 0) as national_average_wage

    from all_rows
    where average_wage is not null and employment_weight > 0
    group by industry_code, year

)

select
    cast(all_rows.province_code as string) as province_code,
    cast(all_rows.year as integer) as year,
    cast(all_rows.industry_code as string) as industry_code,
    cast(all_rows.industry_level as string) as industry_level,
    cast(all_rows.average_wage as double) as average_wage,
    cast('元' as string) as unit,
    cast(all_rows.value_flag as string) as value_flag,
    cast(all_rows.employment_weight as double) as employment_weight,
    cast(all_rows.n_weighted as integer) as n_weighted,
    cast(national.national_average_wage as double) as national_average_wage,
    cast(all_rows.average_wage / nullif(national.national_average_wage, 0) as double) as relative_wage,
    cast(all_rows.source_value_ids as {{ type_string_list() }}) as source_value_ids

from all_rows
left join national using (industry_code, year)
