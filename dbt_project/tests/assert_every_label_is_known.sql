-- Every cell's province and industry label must be known to the seeds; the failing rows name
-- the file and cell, and say which seed to extend.
{{ config(store_failures=true) }}

select
    source_file,
    source_sheet,
    source_cell,
    province_label,
    industry_label,
    case
        when province_code is null then 'unknown province: add it to seeds/province_alias.csv'
        when label_kind is null then 'unknown industry label: add it to seeds/industry_label_variant.csv'
        when unit_factor is null then 'unknown unit ' || source_unit || ': add it to seeds/unit_conversion.csv'
    end as problem

from {{ ref('int_cells_labelled') }}
where province_code is null or label_kind is null or unit_factor is null
