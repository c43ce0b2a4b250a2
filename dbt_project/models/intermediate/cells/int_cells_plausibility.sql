-- Value-level defects that can be isolated, one row per quarantined cell (policy in docs/data-quality.md):
--   negative_value           a negative value;
--   zero_in_material_series  a zero where a neighbouring year of the series is material (a 0
--                            typed for a blank, or a lost cell: no industry of that size stops
--                            for a year);
--   implausible_jump         a material value that differs by at least the plausibility factor
--                            from every neighbouring year of its own series (mis-keyed cells such
--                            as Jiangsu 2005 采矿业).
-- The jump rule compares a value with neighbours it does not itself flag: first the spikes (a
-- value above or below both of its neighbours by the factor) are found, then every other value
-- is compared with its nearest values that are not spikes, so a good value beside a bad one is
-- kept (Tianjin 其他采矿业 wage 2016 beside 2009). Two values that only have each other (a
-- two-point series, or the rest of the series withheld) cannot both be judged by the series: the
-- one further from its province's structure (|ln LQ| against the nation that year) is withheld,
-- and both when the structure cannot tell.
--   manufacturing_repeats_total  a manufacturing total (制造业) equal to the all-industry total (合计)
--                            of the same file and year while mining or utilities are positive
--                            (Inner Mongolia 2013: 制造业 J10 repeats 合计 B10, 19,905 亿元 against
--                            10,240 and 11,716 in the years around it): the total column was
--                            filled into the manufacturing one. Only that cell is withheld; the
--                            manufacturing total is then derived from 合计 as where none is printed.
with

cells as (

    select
        labelled.*,
        indicators.plausibility_material_value
    from {{ ref('int_cells_labelled') }} as labelled
    inner join {{ ref('indicator') }} as indicators using (indicator)
    where labelled.value_flag in ('reported', 'derived')
        and labelled.label_kind in ('division', 'aggregate')

),

neighbours as (

    {{ series_neighbours('cells') }}

),

{%- set jump = var('plausibility_jump_factor') %}

spikes as (

    select raw_value_id
    from neighbours
    where {{ spike_factor('value_converted', 'previous_value', 'next_value') }} >= {{ jump }}
        and greatest(value_converted, previous_value, next_value) >= plausibility_material_value

),

-- every value's nearest neighbours that are not spikes (a spike's own neighbours stay as read:
-- a spike is judged against what surrounds it)
kept_neighbours as (

    select
        *,
        lag(value_converted) over series as kept_previous_value,
        lead(value_converted) over series as kept_next_value,
        lag(year) over series as kept_previous_year,
        lead(year) over series as kept_next_year,
        lag(raw_value_id) over series as kept_previous_id,
        lead(raw_value_id) over series as kept_next_id
    from neighbours
    anti join spikes using (raw_value_id)
    window series as (partition by province_code, industry_label, indicator order by year)

),

compared as (

    select
        neighbours.*,
        spikes.raw_value_id is not null as is_spike,
        case when spikes.raw_value_id is null then kept.kept_previous_value else neighbours.previous_value end
            as compared_previous_value,
        case when spikes.raw_value_id is null then kept.kept_next_value else neighbours.next_value end
            as compared_next_value,
        case when spikes.raw_value_id is null then kept.kept_previous_year else neighbours.previous_year end
            as compared_previous_year,
        case when spikes.raw_value_id is null then kept.kept_next_year else neighbours.next_year end
            as compared_next_year,
        kept.kept_previous_id,
        kept.kept_next_id
    from neighbours
    left join spikes using (raw_value_id)
    left join kept_neighbours as kept using (raw_value_id)

),

-- max(a/b, b/a); null when either side is missing or not positive
ratios as (

    select
        *,
        case when value_converted > 0 and compared_previous_value > 0
                then greatest(value_converted / compared_previous_value, compared_previous_value / value_converted)
        end as previous_ratio,
        case when value_converted > 0 and compared_next_value > 0
                then greatest(value_converted / compared_next_value, compared_next_value / value_converted)
        end as next_ratio
    from compared

),

jumps as (

    select
        *,
        is_spike or (
            (previous_ratio is not null or next_ratio is not null)
            and coalesce(previous_ratio, {{ jump }}) >= {{ jump }}
            and coalesce(next_ratio, {{ jump }}) >= {{ jump }}
            and greatest(value_converted, coalesce(compared_previous_value, 0), coalesce(compared_next_value, 0))
            >= plausibility_material_value
        ) as is_jump,
        -- the one value this one was compared with, when it had only one
        case
            when not is_spike and compared_previous_year is null then kept_next_id
            when not is_spike and compared_next_year is null then kept_previous_id
        end as only_neighbour_id
    from ratios

),

-- the province's structure: the division's share of the province's divisions over its share
-- of the nation's, that year (an LQ on the cells as labelled)
province_totals as (

    select
        province_code,
        indicator,
        year,
        sum(value_converted) as province_total
    from cells
    where label_kind = 'division' and value_converted > 0
    group by province_code, indicator, year

),

national_labels as (

    select
        indicator,
        year,
        industry_label,
        sum(value_converted) as label_total
    from cells
    where label_kind = 'division' and value_converted > 0
    group by indicator, year, industry_label

),

national_totals as (

    select
        indicator,
        year,
        sum(label_total) as national_total
    from national_labels
    group by indicator, year

),

structure as (

    select
        jumps.raw_value_id,
        abs(ln(
            (jumps.value_converted / province_totals.province_total)
            / (national_labels.label_total / national_totals.national_total)
        )) as structure_distance
    from jumps
    inner join province_totals using (province_code, indicator, year)
    inner join national_labels using (indicator, year, industry_label)
    inner join national_totals using (indicator, year)
    where jumps.is_jump and jumps.only_neighbour_id is not null and jumps.value_converted > 0
        and jumps.label_kind = 'division'

),

-- pairs of jumps that were each other's only neighbour: keep the one closer to the structure
paired as (

    select
        jumps.raw_value_id,
        this_one.structure_distance < other.structure_distance as is_kept_of_pair
    from jumps
    inner join jumps as partner
        on jumps.only_neighbour_id = partner.raw_value_id
            and jumps.raw_value_id = partner.only_neighbour_id
            and partner.is_jump
    left join structure as this_one on jumps.raw_value_id = this_one.raw_value_id
    left join structure as other on partner.raw_value_id = other.raw_value_id
    where jumps.is_jump

),

-- the manufacturing aggregate of a file-year that repeats its all-industry total while the rest of
-- that total (mining, utilities: aggregates or divisions outside 13-43) is positive
repeated_totals as (

    select
        manufacturing.*,
        total.source_cell as total_cell
    from cells as manufacturing
    inner join cells as total
        on manufacturing.source_file = total.source_file
            and manufacturing.source_sheet = total.source_sheet
            and manufacturing.province_code = total.province_code
            and manufacturing.indicator = total.indicator
            and manufacturing.year = total.year
            and total.aggregate_code = 'total'
            and manufacturing.value_converted = total.value_converted
    where manufacturing.aggregate_code = 'manufacturing'
        and manufacturing.value_converted > 0
        and exists (
            select 1
            from cells as rest
            where rest.source_file = manufacturing.source_file
                and rest.source_sheet = manufacturing.source_sheet
                and rest.province_code = manufacturing.province_code
                and rest.indicator = manufacturing.indicator
                and rest.year = manufacturing.year
                and rest.value_converted > 0
                and (
                    rest.aggregate_code in ('mining', 'utilities')
                    or (rest.label_kind = 'division' and rest.mapping_code not between '13' and '43')
                )
        )

),

flagged as (

    select
        jumps.*,
        paired.raw_value_id is not null as is_in_pair,
        case
            when value_converted < 0 then 'negative_value'
            when value_converted = 0
                and greatest(coalesce(previous_value, 0), coalesce(next_value, 0)) >= plausibility_material_value
                then 'zero_in_material_series'
            when is_jump and coalesce(paired.is_kept_of_pair, false) = false then 'implausible_jump'
        end as quarantine_reason
    from jumps
    left join paired using (raw_value_id)

)

select
    {{ quarantined_cell_columns() }},
    quarantine_reason,
    case quarantine_reason
        when 'negative_value' then 'value ' || value_converted || ' ' || target_unit || ' is negative'
        when 'zero_in_material_series'
            then 'value 0 ' || target_unit || ' between '
                || concat_ws(
                    ' and ',
                    case when previous_value is not null
                            then previous_year || ' (' || round(previous_value, 2) || ')'
                    end,
                    case when next_value is not null
                            then next_year || ' (' || round(next_value, 2) || ')'
                    end
                )
                || ', at least ' || plausibility_material_value || ' ' || target_unit || ' in a neighbouring year'
        else 'value ' || round(value_converted, 2) || ' ' || target_unit || ' differs from '
            || concat_ws(
                ' and ',
                case when compared_previous_value is not null
                        then compared_previous_year || ' (' || round(compared_previous_value, 2) || ')'
                end,
                case when compared_next_value is not null
                        then compared_next_year || ' (' || round(compared_next_value, 2) || ')'
                end
            )
            -- every ratio compared is at or above the threshold: the smallest, rounded down, is the
            -- factor the value differs from each neighbour by at least
            || ' by a factor of '
            || floor(10 * least(coalesce(previous_ratio, next_ratio), coalesce(next_ratio, previous_ratio))) / 10
            || ' or more (threshold {{ jump }}x)'
            || case when is_in_pair
                    then '; of the two values that only have each other, this one is further'
                        || ' from its province''s structure (or the structure cannot tell)'
                else ''
            end
    end as quarantine_detail

from flagged
where quarantine_reason is not null
    and raw_value_id not in (select raw_value_id from repeated_totals)

union all

select
    {{ quarantined_cell_columns() }},
    'manufacturing_repeats_total' as quarantine_reason,
    'value ' || round(value_converted, 2) || ' ' || target_unit || ' equals the all-industry total (合计, '
    || total_cell || ') of the same year although mining or utilities there are positive: the total was '
    || 'filled into the manufacturing column' as quarantine_detail
from repeated_totals
