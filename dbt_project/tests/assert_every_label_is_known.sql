-- Every cell's province and industry label must be known to the seeds. A label is printed once,
-- in a header cell, and repeated by every value cell below it: a failing row is one header cell
-- (file, sheet, cell, the label as printed), with the value cells it labels counted, and the fix
-- in the order to try it. Correcting the file comes first. Adding a label variant to the seeds is
-- offered only for a genuine variant: the label equals a known label once punctuation and the
-- connectives and suffixes exports drop or add (、，（）的及和与业) are ignored (e.g. 汽车制造 for
-- 汽车制造业). A label a couple of characters from a known one is called a likely typo and
-- offered no variant (a seed entry would make the typo permanent). A label close to nothing is
-- offered the seed only if it names an industry in another edition's words (docs/dagster-ui.md).
-- It reads int_cells_labelled and int_industry_label; meta names the model it is a check of in Dagster.
{{ config(store_failures=true, meta={'dagster': {'ref': {'name': 'int_cells_labelled'}}}) }}

with

unknown_cells as (

    select * from {{ ref('int_cells_labelled') }}
    where province_code is null or label_kind is null or not is_unit_known

),

known_labels as (

    select distinct
        label_key,
        {{ regexp_replace_all('label_key', '[、，,（）()的及和与业]', "''") }} as loose_key
    from {{ ref('int_industry_label') }}

),

header_cells as (

    select
        source_file,
        source_sheet,
        coalesce(label_cell, source_column || ' (header)') as label_cell,
        province_label,
        industry_label,
        source_unit,
        case
            when province_code is null then 'province'
            when label_kind is null then 'industry'
            else 'unit'
        end as kind,
        regexp_extract(source_file, '([^/]+)\.[^.]+$', 1) = province_label as province_from_file_name,
        count(*) as value_cells,
        source_column || cast(min(source_row) as string) as first_value_cell,
        source_column || cast(max(source_row) as string) as last_value_cell

    from unknown_cells
    group by
        source_file, source_sheet, label_cell, source_column, province_label, industry_label, source_unit, kind

),

nearest as (

    -- the known industry label closest to each unknown one (levenshtein counts UTF-8 bytes: a
    -- Chinese character is three)
    select
        header_cells.industry_label,
        min_by(
            known_labels.label_key,
            levenshtein({{ normalise_label('header_cells.industry_label') }}, known_labels.label_key)
        ) as nearest_label,
        min(levenshtein({{ normalise_label('header_cells.industry_label') }}, known_labels.label_key)) as distance,
        bool_or(
            {{ regexp_replace_all(normalise_label('header_cells.industry_label'), '[、，,（）()的及和与业]', "''") }}
            = known_labels.loose_key
        ) as is_variant,
        max_by(
            known_labels.label_key,
            {{ regexp_replace_all(normalise_label('header_cells.industry_label'), '[、，,（）()的及和与业]', "''") }}
            = known_labels.loose_key
        ) as variant_of

    from (
        select distinct industry_label from header_cells
        where kind = 'industry'
    ) as header_cells
    cross join known_labels
    group by all

),

explained as (

    select
        header_cells.*,
        nearest.nearest_label,
        case header_cells.kind
            when 'province'
                then
                    (
                        case
                            when header_cells.province_from_file_name
                                then 'the file name of ' || header_cells.source_file
                            else 'header cell ' || header_cells.label_cell || ' of ' || header_cells.source_file
                        end
                    )
                    || ' names the province ''' || header_cells.province_label
                    || ''', which no seed knows. Fix: correct the '
                    || (case when header_cells.province_from_file_name then 'file name' else 'header cell' end)
                    || '; if it is another spelling of a province, add it to seeds/province_alias.csv.'
            when 'industry'
                then
                    'header cell ' || header_cells.label_cell || ' of ' || header_cells.source_file
                    || ' (sheet ' || header_cells.source_sheet || ') reads the industry label '''
                    || header_cells.industry_label || ''', which no seed knows. '
                    || case
                        when nearest.is_variant
                            then
                                'It is a spelling of the known label ''' || nearest.variant_of
                                || '''. Fix: correct the header cell in the file to ''' || nearest.variant_of
                                || '''; or, if exports print it this way, add it to '
                                || 'seeds/industry_label_variant.csv as a variant of ''' || nearest.variant_of || '''.'
                        when nearest.distance <= 6
                            and abs(length(header_cells.industry_label) - length(nearest.nearest_label)) <= 2
                            then
                                'It is within two characters of the known label ''' || nearest.nearest_label
                                || ''' (likely a typo or a renamed header). Fix: correct the header cell in the file '
                                || '(no seed change: a variant would keep the typo).'
                        else
                            'No known label is close to it. Fix: correct the header cell in the file; only if it '
                            || 'names an industry in another edition''s words, add it to '
                            || 'seeds/industry_label_variant.csv with its code.'
                    end
            else
                'value cells ' || header_cells.first_value_cell || ':' || header_cells.last_value_cell
                || ' of ' || header_cells.source_file || ' are in the unit ''' || header_cells.source_unit
                || ''', which no seed knows. Fix: correct the unit in the file; if it is a real unit, add '
                || 'it to seeds/unit_conversion.csv.'
        end as problem

    from header_cells
    left join nearest on header_cells.industry_label = nearest.industry_label

)

select
    source_file,
    source_sheet,
    label_cell,
    province_label,
    industry_label,
    value_cells,
    first_value_cell,
    last_value_cell,
    nearest_label,
    problem

from explained
