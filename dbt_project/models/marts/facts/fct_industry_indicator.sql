-- Province x industry x year x indicator facts, as published (logic in int_industry_facts).
select * from {{ ref('int_industry_facts') }}
