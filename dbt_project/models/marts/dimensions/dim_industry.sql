-- GB/T 4754-2011 divisions the facts use, plus the aggregate codes (B, C, D, BCD).
with

divisions as (

    select * from {{ ref('industry_division') }}
    where vintage = '2011'

),

intensity as (

    select * from {{ ref('factor_intensity_class') }}
    where mapping_version = '{{ var("intensity_mapping_version") }}'

),

aggregates as (

    select * from (
        values
        ('B', '采矿业', 'Mining', 'mining', 'section'),
        ('C', '制造业', 'Manufacturing', 'manufacturing', 'section'),
        ('D', '电力、热力、燃气及水生产和供应业', 'Electricity, heat, gas and water supply', 'utilities', 'section'),
        ('BCD', '工业合计', 'Industry total (mining, manufacturing, utilities)', 'total', 'total')
    ) as aggregate_rows (industry_code, name_zh, name_en, sector, industry_level)  -- noqa: AL05

),

unioned as (

    select
        divisions.industry_code,
        divisions.name_zh,
        divisions.name_en,
        divisions.sector,
        'division' as industry_level,
        intensity.intensity_class,
        divisions.industry_code between '{{ var("metric_industry_from") }}' and '{{ var("metric_industry_to") }}'
            as is_metric_industry

    from divisions
    left join intensity using (industry_code)

    union all

    select
        industry_code,
        name_zh,
        name_en,
        sector,
        industry_level,
        null as intensity_class,
        false as is_metric_industry
    from aggregates

)

select
    cast(industry_code as string) as industry_code,
    cast('GB/T 4754-2011' as string) as classification,
    cast(name_zh as string) as name_zh,
    cast(name_en as string) as name_en,
    cast(sector as string) as sector,
    cast(industry_level as string) as industry_level,
    cast(intensity_class as string) as intensity_class,
    cast('{{ var("intensity_mapping_version") }}' as string) as intensity_mapping_version,
    cast(is_metric_industry as boolean) as is_metric_industry

from unioned
