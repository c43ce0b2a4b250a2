with

source as (

    {{ union_by_name(catalogue_sources('concordance_csv')) }}

)

select
    raw_value_id,
    source_file,
    source_row,
    file_sha256,
    class_2002,
    class_2011,
    class_2017,
    trim(name_2002) as name_2002,
    trim(name_2011) as name_2011,
    trim(name_2017) as name_2017

from source
