-- Every cell of every losing copy of a high-tech edition beside the winning copy's cell for the
-- same region and indicator (int_hightech_copies says which copy wins and why). Two printed
-- numbers agree within rounding when they differ by at most half a unit of the last decimal the
-- coarser copy prints.
with

cells as (

    select
        cells.*,
        copies.is_winning_copy,
        copies.n_copies

    from {{ ref('int_hightech_cells') }} as cells
    inner join {{ ref('int_hightech_copies') }} as copies
        on cells.source_file = copies.source_file
            and cells.year = copies.edition_year

),

winning as (

    select * from cells
    where is_winning_copy and n_copies > 1

),

losing as (

    select * from cells
    where not is_winning_copy

),

losing_files as (

    select distinct
        year,
        source_file
    from losing

),

winning_file as (

    select distinct
        year,
        source_file
    from winning

),

paired as (

    -- each winning cell against each losing copy of its edition, found there or not
    select
        winning.year as edition_year,
        winning.region_code,
        winning.region_kind,
        winning.indicator,
        winning.source_file as winning_file,
        winning.source_cell as winning_cell,
        winning.value_as_printed as winning_value_as_printed,
        winning.value_in_source_unit as winning_value,
        winning.indicator_label as winning_header,
        winning.printed_decimals as winning_decimals,
        losing_files.source_file as other_file,
        losing.source_cell as other_cell,
        losing.value_as_printed as other_value_as_printed,
        losing.value_in_source_unit as other_value,
        losing.indicator_label as other_header,
        losing.printed_decimals as other_decimals

    from winning
    inner join losing_files
        on winning.year = losing_files.year
    left join losing
        on losing_files.source_file = losing.source_file
            and winning.region_code = losing.region_code
            and winning.indicator = losing.indicator

    union all

    -- cells only a losing copy has (e.g. columns an xlsx conversion kept that the winner lacks)
    select
        losing.year,
        losing.region_code,
        losing.region_kind,
        losing.indicator,
        winning_file.source_file as winning_file,
        null as winning_cell,
        null as winning_value_as_printed,
        null as winning_value,
        null as winning_header,
        null as winning_decimals,
        losing.source_file as other_file,
        losing.source_cell as other_cell,
        losing.value_as_printed,
        losing.value_in_source_unit,
        losing.indicator_label,
        losing.printed_decimals

    from losing
    inner join winning_file
        on losing.year = winning_file.year
    where not exists (
            select 1 from winning
            where winning.year = losing.year
                and winning.region_code = losing.region_code
                and winning.indicator = losing.indicator
        )

),

compared as (

    select
        *,
        case
            when winning_cell is null then 'only_in_other'
            when other_cell is null then 'only_in_winner'
            when winning_value is null and other_value is null then 'agree'
            when winning_value is null or other_value is null then 'blank_in_one'
            when winning_value = other_value then 'agree'
            when abs(winning_value - other_value)
                <= 0.5 * pow(10, -least(winning_decimals, other_decimals)) + 1e-9
                then 'agree_within_rounding'
            else 'disagree'
        end as comparison

    from paired

)

select
    cast(edition_year as integer) as edition_year,
    cast(region_code as string) as region_code,
    cast(region_kind as string) as region_kind,
    cast(indicator as string) as indicator,
    cast(comparison as string) as comparison,
    cast(winning_value - other_value as double) as difference,
    cast(winning_header is not distinct from other_header as boolean) as header_agrees,
    cast(winning_file as string) as winning_file,
    cast(winning_cell as string) as winning_cell,
    cast(winning_value_as_printed as string) as winning_value_as_printed,
    cast(winning_header as string) as winning_header,
    cast(other_file as string) as other_file,
    cast(other_cell as string) as other_cell,
    cast(other_value_as_printed as string) as other_value_as_printed,
    cast(other_header as string) as other_header

from compared
