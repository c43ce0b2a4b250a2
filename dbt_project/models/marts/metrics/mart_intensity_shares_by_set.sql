-- Share of each factor-intensity class in a province's manufacturing, taken over a universe's
-- industry set (metrics.md; docs/user-guide.md "Industry sets"): Σk∈c x[i,k] / Σk x[i,k] with k in the set.
-- mart_intensity_shares takes each province's own reported divisions, so a division that starts
-- being reported moves the share; here, on a span set, a trend is over one set of divisions.
with

shares as (

    select * from {{ ref('int_metric_shares') }}

),

classes as (

    select * from {{ ref('factor_intensity_class') }}
    where mapping_version = '{{ var("intensity_mapping_version") }}'

),

intensity_classes as (

    select distinct intensity_class from classes

),

regions as (

    select distinct
        universe_code,
        industry_set,
        province_code,
        year,
        indicator,
        region_total,
        n_industries,
        coverage
    from shares

),

class_values as (

    select
        shares.universe_code,
        shares.industry_set,
        shares.province_code,
        shares.year,
        shares.indicator,
        coalesce(classes.intensity_class, 'unmapped') as intensity_class,
        sum(shares.value) as class_value,
        count(*) as n_industries_in_class
    from shares
    left join classes using (industry_code)
    group by all

)

-- Every class for every region-year, 0 where no division of the set falls in it.
select
    cast(regions.universe_code as string) as universe_code,
    cast(regions.industry_set as string) as industry_set,
    cast(regions.province_code as string) as province_code,
    cast(regions.year as integer) as year,
    cast(regions.indicator as string) as indicator,
    cast(intensity_classes.intensity_class as string) as intensity_class,
    cast('{{ var("intensity_mapping_version") }}' as string) as mapping_version,
    cast(coalesce(class_values.class_value, 0) as double) as class_value,
    cast(regions.region_total as double) as set_value,
    cast(coalesce(class_values.class_value, 0) / nullif(regions.region_total, 0) as double) as share,
    cast(coalesce(class_values.n_industries_in_class, 0) as integer) as n_industries_in_class,
    cast(regions.n_industries as integer) as n_industries,
    cast(regions.coverage as double) as coverage

from regions
cross join intensity_classes
left join class_values
    on regions.universe_code = class_values.universe_code
        and regions.industry_set = class_values.industry_set
        and regions.province_code = class_values.province_code
        and regions.year = class_values.year
        and regions.indicator = class_values.indicator
        and intensity_classes.intensity_class = class_values.intensity_class
