-- The demand and trade block of every input-output table, one row per cell (logic in int_io_flows).
select * from {{ ref('int_io_flows') }}
