-- Every industry label the exports use: official GB/T 4754 names (generated from the code lists)
-- and the variants, aggregates and sub-divisions seen in real exports (maintained by hand).
with

official as (

    select * from {{ ref('industry_label_official') }}

),

variants as (

    select * from {{ ref('industry_label_variant') }}

),

unioned as (

    select
        *,
        'industry_label_official' as defined_in
    from official
    union all
    select
        *,
        'industry_label_variant' as defined_in
    from variants

)

select
    {{ normalise_label('label') }} as label_key,
    label,
    label_vintage,
    code_2002,
    code_2011,
    label_kind,
    aggregate_code,
    note,
    defined_in

from unioned
