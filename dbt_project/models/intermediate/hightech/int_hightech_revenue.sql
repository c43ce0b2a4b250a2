-- High-tech revenue by province and year: share of the nation (of the printed national total,
-- and of the sum of the 31 provinces), high-tech's share of the province's industrial revenue
-- (规模以上工业 主营业务收入 合计, Wind panel) and year-on-year growth against the previous
-- edition. The 2016 -> 2018 series break is flagged, not smoothed.
with

facts as (

    select * from {{ ref('int_hightech_indicator') }}
    where indicator = 'hightech_revenue'

),

provinces as (

    select * from facts
    where region_kind = 'province'

),

national as (

    select
        year,
        value as national_printed
    from facts
    where region_kind = 'national'

),

province_sums as (

    select
        year,
        sum_of_members as province_sum
    from {{ ref('int_hightech_group') }}
    where group_code = 'national' and indicator = 'hightech_revenue'

),

industry as (

    select
        province_code,
        year,
        value as industry_revenue
    from {{ ref('int_industry_facts') }}
    where indicator = 'main_business_revenue' and industry_code = 'BCD'

),

with_previous as (

    select
        *,
        lag(year) over (partition by region_code order by year) as previous_year,
        lag(value) over (partition by region_code order by year) as previous_value,
        lag(series_basis) over (partition by region_code order by year) as previous_series_basis

    from provinces

)

select
    cast(p.region_code as string) as province_code,
    cast(p.year as integer) as year,
    cast(p.value as double) as revenue,
    cast(p.unit as string) as unit,
    cast(p.series_basis as string) as series_basis,
    cast(p.indicator_label_as_printed as string) as revenue_concept_as_printed,
    cast(p.value / nullif(national.national_printed, 0) as double) as share_of_nation,
    cast(p.value / nullif(province_sums.province_sum, 0) as double) as share_of_province_sum,
    cast(industry.industry_revenue as double) as industry_revenue,
    cast(p.value / nullif(industry.industry_revenue, 0) as double) as share_of_industry_revenue,
    cast(p.previous_year as integer) as previous_year,
    cast({{ growth_rate('p.previous_value', 'p.value') }} as double) as growth_rate,
    cast(p.previous_series_basis <> p.series_basis as boolean) as crosses_series_break,
    cast(p.n_copies_disagreeing as integer) as n_copies_disagreeing,
    cast(p.source_value_ids as {{ type_string_list() }}) as source_value_ids

from with_previous as p
left join national using (year)
left join province_sums using (year)
left join industry
    on p.region_code = industry.province_code
        and p.year = industry.year
