-- One keyed-in cell that makes its province-year's manufacturing divisions exceed the
-- manufacturing total (policy in docs/magnitude-and-quarantine.md): when the divisions sum to
-- more than max_manufacturing_coverage of the total, and withholding one division cell brings
-- the sum back to at most that, and that cell is at least cell_outlier_factor away from its own
-- series (the geometric mean of its neighbouring years), only that cell is withheld. The
-- province-year then reconciles and stays in its metric universes; without such a cell it is
-- still kept out whole (int_quarantine_province_year). A ×10 typo in a growing series is below
-- the jump rule of int_cells_plausibility (it is not ×10 from *both* neighbours); this rule
-- catches it through the total. The sums follow int_manufacturing_coverage, on the cells as
-- printed (a 2002 division maps into 2011's 13-43 as a whole).
{%- set max_coverage = var('max_manufacturing_coverage') %}
{%- set factor = var('cell_outlier_factor') %}
with

already_withheld as (

    select raw_value_id from {{ ref('int_cells_plausibility') }}

),

cells as (

    select labelled.*
    from {{ ref('int_cells_labelled') }} as labelled
    anti join already_withheld using (raw_value_id)
    where labelled.value_flag in ('reported', 'derived')
        and labelled.label_kind in ('division', 'aggregate')
        and labelled.indicator in (
            select indicator from {{ ref('indicator') }}
            where is_additive
        )

),

neighbours as (

    {{ series_neighbours('cells') }}

),

province_years as (

    select
        province_code,
        year,
        indicator,
        max(value_converted) filter (where label_kind = 'aggregate' and aggregate_code = 'manufacturing')
            as reported_manufacturing_total,
        max(value_converted) filter (where label_kind = 'aggregate' and aggregate_code = 'total')
            as industry_total,
        sum(value_converted) filter (where label_kind = 'division' and mapping_code < '13')
            as mining_divisions_sum,
        sum(value_converted) filter (where label_kind = 'division' and mapping_code > '43')
            as utilities_divisions_sum,
        sum(value_converted) filter (
            where label_kind = 'division'
            and mapping_code between '{{ var("metric_industry_from") }}' and '{{ var("metric_industry_to") }}'
        ) as manufacturing_divisions_sum
    from cells
    group by province_code, year, indicator

),

totals as (

    select
        *,
        coalesce(
            reported_manufacturing_total,
            {{ derived_manufacturing_total('industry_total', 'mining_divisions_sum', 'utilities_divisions_sum') }}
        ) as manufacturing_total
    from province_years

),

exceeding as (

    select * from totals
    where manufacturing_total > 0
        and manufacturing_divisions_sum > {{ max_coverage }} * manufacturing_total

),

-- the value against its own series: the geometric mean of its neighbouring years (one
-- neighbour at the ends of a series)
candidates as (

    select
        neighbours.*,
        exceeding.manufacturing_total,
        exceeding.manufacturing_divisions_sum,
        neighbours.value_converted / exp(
            (
                coalesce(ln(nullif(greatest(neighbours.previous_value, 0), 0)), 0)
                + coalesce(ln(nullif(greatest(neighbours.next_value, 0), 0)), 0)
            )
            / (
                case when neighbours.previous_value > 0 then 1 else 0 end
                + case when neighbours.next_value > 0 then 1 else 0 end
            )
        ) as series_ratio
    from neighbours
    inner join exceeding using (province_code, year, indicator)
    where neighbours.label_kind = 'division'
        and neighbours.mapping_code
        between '{{ var("metric_industry_from") }}' and '{{ var("metric_industry_to") }}'
        and neighbours.value_converted > 0
        and (neighbours.previous_value > 0 or neighbours.next_value > 0)
        and exceeding.manufacturing_divisions_sum - neighbours.value_converted
        <= {{ max_coverage }} * exceeding.manufacturing_total

),

-- the one cell to withhold: the furthest from its series among those far enough out of line
chosen as (

    select
        *,
        row_number() over (
            partition by province_code, year, indicator order by series_ratio desc, raw_value_id asc
        ) as rank_in_province_year
    from candidates
    where series_ratio >= {{ factor }}

)

select
    {{ quarantined_cell_columns() }},
    'division_exceeds_total' as quarantine_reason,
    industry_label || ' ' || year || ': value ' || round(value_converted, 2) || ' ' || target_unit
    || ' is ' || round(series_ratio, 1) || 'x its own series ('
    || concat_ws(
        ' and ',
        case when previous_value > 0 then previous_year || ': ' || round(previous_value, 2) end,
        case when next_value > 0 then next_year || ': ' || round(next_value, 2) end
    )
    || ', threshold {{ factor }}x) and alone makes the manufacturing divisions sum to '
    || round(manufacturing_divisions_sum, 2) || ' against a total of ' || round(manufacturing_total, 2)
    || ' (coverage ' || round(manufacturing_divisions_sum / manufacturing_total, 3)
    || '; without it ' || round((manufacturing_divisions_sum - value_converted) / manufacturing_total, 3)
    || ', accepted up to {{ max_coverage }}): only this cell is withheld' as quarantine_detail

from chosen
where rank_in_province_year = 1
