-- Provincial GDP of both vintages, as published (logic in int_province_gdp).
select * from {{ ref('int_province_gdp') }}
