-- The labelled cells with quarantined values withheld: value null, flag 'quarantined'. Everything
-- downstream (facts, coverage, metrics) reads this, so a withheld value is withheld everywhere.
-- Two rules withhold single cells: int_cells_plausibility (the value against its series) and
-- int_cells_exceeding_total (the one cell that makes its province-year's divisions exceed the
-- manufacturing total).
with

cells as (

    select * from {{ ref('int_cells_labelled') }}

),

quarantined as (

    select
        raw_value_id,
        quarantine_reason
    from {{ ref('int_cells_plausibility') }}

    union all

    select
        raw_value_id,
        quarantine_reason
    from {{ ref('int_cells_exceeding_total') }}

)

select
    {{ star(ref('int_cells_labelled'), except=['value_flag', 'value_converted'], alias='cells') }},
    case when quarantined.raw_value_id is not null then 'quarantined' else cells.value_flag end as value_flag,
    case when quarantined.raw_value_id is null then cells.value_converted end as value_converted,
    quarantined.quarantine_reason

from cells
left join quarantined using (raw_value_id)
