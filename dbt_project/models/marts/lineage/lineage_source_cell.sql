-- Every raw cell read, as published (logic in int_lineage_cells).
select * from {{ ref('int_lineage_cells') }}
