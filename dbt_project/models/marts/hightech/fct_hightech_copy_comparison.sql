-- Each winning high-tech cell against the other copies of its edition, as published
-- (logic in int_hightech_copy_comparison).
select * from {{ ref('int_hightech_copy_comparison') }}
