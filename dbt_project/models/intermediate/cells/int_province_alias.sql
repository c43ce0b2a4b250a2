-- One row per normalised alias; several printed forms ('北  京', '北京') collapse to one key.
with

aliases as (

    select * from {{ ref('province_alias') }}

)

select distinct
    {{ normalise_label('alias') }} as alias_key,
    province_code

from aliases
