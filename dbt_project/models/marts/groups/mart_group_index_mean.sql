-- Group means of every region-level index: for each universe (region group), industry set, year
-- and indicator, the plain mean over its members and the mean weighted by each member's share
-- of the universe total λ[i] (Σ λ[i] = 1). Pair indices (bilateral Krugman, structural
-- similarity) are averaged over unordered pairs i < j, weighted by λ[i]·λ[j].
-- Which indices: the columns of the three marts flagged `group_mean: true` in their YAML meta
-- (macro group_mean_columns), so an index added there is averaged here without an edit.
{%- set relative_index_names = group_mean_columns('mart_specialization_relative_by_set') %}
{%- set structure_index_names = group_mean_columns('mart_region_structure_by_set') %}
{%- set pair_index_names = group_mean_columns('mart_specialization_bilateral_by_set') %}
with

relative as (

    select * from {{ ref('mart_specialization_relative_by_set') }}

),

structure as (

    select * from {{ ref('mart_region_structure_by_set') }}

),

bilateral as (

    select * from {{ ref('mart_specialization_bilateral_by_set') }}
    where province_code < partner_province_code

),

weights as (

    select
        universe_code,
        industry_set,
        province_code,
        year,
        indicator,
        region_weight
    from relative

),

region_index_columns as (

    select
        relative.universe_code,
        relative.industry_set,
        relative.province_code,
        relative.year,
        relative.indicator,
        {%- for column in relative_index_names %}
            relative.{{ column }},
        {%- endfor %}
        {%- for column in structure_index_names %}
            structure.{{ column }},
        {%- endfor %}
        relative.region_weight as weight
    from relative
    left join structure using (universe_code, industry_set, province_code, year, indicator)

),

region_indices as (

    {{ unpivot_non_null(
        'region_index_columns',
        ['universe_code', 'industry_set', 'province_code', 'year', 'indicator', 'weight'],
        relative_index_names + structure_index_names,
        'index_name', 'index_value') }}

),

pair_index_columns as (

    select
        bilateral.universe_code,
        bilateral.industry_set,
        bilateral.province_code,
        bilateral.year,
        bilateral.indicator,
        {%- for column in pair_index_names %}
            bilateral.{{ column }},
        {%- endfor %}
        a.region_weight * b.region_weight as weight
    from bilateral
    inner join weights as a using (universe_code, industry_set, province_code, year, indicator)
    inner join weights as b
        on bilateral.universe_code = b.universe_code
            and bilateral.industry_set = b.industry_set
            and bilateral.partner_province_code = b.province_code
            and bilateral.year = b.year
            and bilateral.indicator = b.indicator

),

pair_indices as (

    {{ unpivot_non_null(
        'pair_index_columns',
        ['universe_code', 'industry_set', 'province_code', 'year', 'indicator', 'weight'],
        pair_index_names,
        'index_name', 'index_value') }}

),

indices as (

    select
        *,
        'region' as index_level
    from region_indices
    union all
    select
        *,
        'region_pair' as index_level
    from pair_indices

)

select
    cast(universe_code as string) as universe_code,
    cast(industry_set as string) as industry_set,
    cast(year as integer) as year,
    cast(indicator as string) as indicator,
    cast(index_name as string) as index_name,
    cast({{ any_non_null('index_level') }} as string) as index_level,
    cast(avg(index_value) as double) as mean_plain,
    cast(sum(index_value * weight) / nullif(sum(weight), 0) as double) as mean_weighted,
    cast(min(index_value) as double) as min_value,
    cast(max(index_value) as double) as max_value,
    cast(count(*) as integer) as n_units

from indices
group by universe_code, industry_set, year, indicator, index_name
