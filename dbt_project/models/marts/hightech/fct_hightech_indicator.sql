-- High-tech facts from the winning copy of each edition, as published (logic in int_hightech_indicator).
select * from {{ ref('int_hightech_indicator') }}
