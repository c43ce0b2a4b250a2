-- metrics.md: Δx[i] = NS + IM + RS exactly (to rounding: 1e-9 relative to the base).
select *
from {{ ref('mart_shift_share_by_set') }}
where null_reason is null
    and abs(change - (national_share + industry_mix + regional_share)) > 1e-9 * greatest(abs(base_value), 1)
