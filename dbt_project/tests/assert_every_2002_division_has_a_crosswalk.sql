{{ config(store_failures=true) }}
-- A 2002-vintage division cell with no crosswalk row would silently vanish from the facts:
-- the concordance (RAW_DIR/classification/*concordance*.csv) must cover every one the sources use.
select distinct
    cells.mapping_code,
    cells.source_file,
    cells.source_cell
from {{ ref('int_cells_quarantine_applied') }} as cells
where cells.label_kind = 'division'
    and cells.mapping_vintage = '2002'
    and cells.mapping_code not in (select code_2002 from {{ ref('int_industry_crosswalk_2002_2011') }})
