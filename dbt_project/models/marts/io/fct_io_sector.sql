-- IO sectors per region and benchmark year, as published (logic in int_io_sectors).
select * from {{ ref('int_io_sectors') }}
