-- The catalogue of known series breaks (int_statistical_break), as users look it up.
select * from {{ ref('int_statistical_break') }}
