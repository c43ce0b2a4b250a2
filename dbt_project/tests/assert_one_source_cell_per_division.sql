-- Two filled cells of one province-year must not name the same division of the same vintage:
-- that would double count (e.g. a sub-division wrongly seeded as a division). Blank cells are
-- not counted: a renamed series exported as two half-empty columns is fine.
select
    province_code,
    year,
    indicator,
    mapping_vintage,
    mapping_code,
    count(*) as n_cells,
    {{ ordered_string_agg("industry_label || ' @ ' || source_file || '!' || source_cell", "'; '") }} as cells
from {{ ref('int_cells_labelled') }}
where label_kind = 'division'
    and value_flag <> 'missing'
group by province_code, year, indicator, mapping_vintage, mapping_code
having count(*) > 1
