-- The dbt vars the Great Expectations suites name as $PARAMETER, as this build resolved them: the
-- suites read this table, so a threshold is defined once (dbt_project.yml) and `--vars` reach the
-- expectations too.
select
    'min_manufacturing_coverage' as parameter,
    cast({{ var('min_manufacturing_coverage') }} as double) as value

union all

select
    'max_manufacturing_coverage' as parameter,
    cast({{ var('max_manufacturing_coverage') }} as double) as value
