-- Share of each factor-intensity class in a province's manufacturing (metrics.md):
-- Σk∈c x[i,k] / Σk∈mfg x[i,k], over the divisions the province reports that year.
with

facts as (

    select * from {{ ref('int_industry_facts') }}
    where industry_level = 'division'
        and industry_code between '{{ var("metric_industry_from") }}' and '{{ var("metric_industry_to") }}'
        and value is not null

),

classes as (

    select * from {{ ref('factor_intensity_class') }}
    where mapping_version = '{{ var("intensity_mapping_version") }}'

),

coverage as (

    select * from {{ ref('int_manufacturing_coverage') }}

),

classified as (

    select
        facts.*,
        coalesce(classes.intensity_class, 'unmapped') as intensity_class
    from facts
    left join classes using (industry_code)

),

class_values as (

    select
        province_code,
        year,
        indicator,
        intensity_class,
        sum(value) as class_value,
        count(*) as n_industries_in_class
    from classified
    group by province_code, year, indicator, intensity_class

),

intensity_classes as (

    select distinct intensity_class from classes

),

all_classes as (

    -- Every class appears for every province-year, with 0 where no reported division falls in it.
    select distinct
        province_code,
        year,
        indicator,
        intensity_class
    from facts
    cross join intensity_classes

),

manufacturing as (

    select
        province_code,
        year,
        indicator,
        sum(value) as manufacturing_value,
        count(*) as n_industries
    from facts
    group by province_code, year, indicator

)

select
    cast(all_classes.province_code as string) as province_code,
    cast(all_classes.year as integer) as year,
    cast(all_classes.indicator as string) as indicator,
    cast(all_classes.intensity_class as string) as intensity_class,
    cast('{{ var("intensity_mapping_version") }}' as string) as mapping_version,
    cast(coalesce(class_values.class_value, 0) as double) as class_value,
    cast(manufacturing.manufacturing_value as double) as manufacturing_value,
    cast(coalesce(class_values.class_value, 0) / nullif(manufacturing.manufacturing_value, 0) as double) as share,
    cast(coalesce(class_values.n_industries_in_class, 0) as integer) as n_industries_in_class,
    cast(manufacturing.n_industries as integer) as n_industries,
    cast(manufacturing.manufacturing_value / nullif(coverage.manufacturing_total, 0) as double) as coverage

from all_classes
left join class_values
    on all_classes.province_code = class_values.province_code
        and all_classes.year = class_values.year
        and all_classes.indicator = class_values.indicator
        and all_classes.intensity_class = class_values.intensity_class
inner join manufacturing
    on all_classes.province_code = manufacturing.province_code
        and all_classes.year = manufacturing.year
        and all_classes.indicator = manufacturing.indicator
left join coverage
    on all_classes.province_code = coverage.province_code
        and all_classes.year = coverage.year
        and all_classes.indicator = coverage.indicator
