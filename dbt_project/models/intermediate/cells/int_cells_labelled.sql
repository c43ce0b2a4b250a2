-- Each printed cell with its province code, what its industry label means, the classification
-- in force for its year, and its value in its indicator's unit (亿元 for revenue, persons for
-- employment: seed indicator).
with

cells as (

    select * from {{ ref('int_source_cells') }}

),

provinces as (

    select * from {{ ref('int_province_alias') }}

),

labels as (

    select * from {{ ref('int_industry_label') }}

),

vintages as (

    select * from {{ ref('source_classification_vintage') }}

),

indicators as (

    select * from {{ ref('indicator') }}

),

units as (

    select * from {{ ref('unit_conversion') }}

),

joined as (

    select
        cells.*,
        provinces.province_code,
        labels.label_vintage,
        labels.label_kind,
        labels.aggregate_code,
        labels.code_2002,
        labels.code_2011,
        vintages.vintage as source_vintage,
        indicators.target_unit,
        units.unit is not null as is_unit_known,
        {{ convert_unit('cells.value_in_source_unit', 'units') }} as value_converted

    from cells
    left join provinces
        on provinces.alias_key = {{ normalise_label('cells.province_label') }}
    left join labels
        on labels.label_key = {{ normalise_label('cells.industry_label') }}
    left join vintages
        on cells.source_family = vintages.source_family
            and cells.year between vintages.first_year and vintages.last_year
    left join indicators
        on cells.indicator = indicators.indicator
    left join units
        on cells.source_unit = units.unit
            and indicators.target_unit = units.target_unit

),

mapped as (

    select
        *,
        -- A cell of a 2002-vintage year goes through the 2002 -> 2011 crosswalk when its label
        -- has a 2002 code; labels with no 2002 equivalent (e.g. 橡胶和塑料制品业, which Beijing
        -- back-casts to 2006) already name a 2011 division.
        case
            when source_vintage = '2002' and code_2002 is not null then '2002'
            else '2011'
        end as mapping_vintage,
        case
            when source_vintage = '2002' and code_2002 is not null then code_2002
            else code_2011
        end as mapping_code

    from joined

)

select * from mapped
