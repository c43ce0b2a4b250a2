-- High-tech sums per region group against the printed subtotals, as published (logic in int_hightech_group).
select * from {{ ref('int_hightech_group') }}
