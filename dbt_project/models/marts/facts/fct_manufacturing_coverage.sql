-- Manufacturing coverage per province-year, as published (logic in int_manufacturing_coverage).
select * from {{ ref('int_manufacturing_coverage') }}
