-- High-tech revenue per province, shares and growth, as published (logic in int_hightech_revenue).
select * from {{ ref('int_hightech_revenue') }}
