-- Each sector row of each input-output table checked against the table's own identities, every
-- row kept and flagged (docs/integration.md):
--   use side     Σ sign·value over the demand and trade block (seed io_flow_concept) = GO
--   final use    TFU = TC + GCF + the edition's exports and outflow columns
--   output/input GO (column) = TI (row), total output = total input
-- Tolerance: max(io_identity_tolerance_abs 亿元, io_identity_tolerance_rel × |GO|).
{%- set tolerance_abs = var('io_identity_tolerance_abs') %}
{%- set tolerance_rel = var('io_identity_tolerance_rel') %}
with

io_rows as (

    select * from {{ ref('int_io_flow_rows') }}

),

residuals as (

    select
        *,
        use_side_total - gross_output as use_side_residual,
        final_use - (
            coalesce(final_consumption, 0) + coalesce(gross_capital_formation, 0) + coalesce(exports, 0)
            + coalesce(outflow_domestic, 0) + coalesce(outflow_total, 0) + coalesce(net_outflow_total, 0)
        ) as final_use_residual,
        gross_output - total_input as output_input_residual,
        greatest({{ tolerance_abs }}, {{ tolerance_rel }} * abs(gross_output)) as tolerance

    from io_rows

),

checked as (

    select
        *,
        abs(use_side_residual) <= tolerance as use_side_balances,
        abs(final_use_residual) <= tolerance as final_use_balances,
        abs(output_input_residual) <= tolerance as output_equals_input

    from residuals

)

select
    cast(region_code as string) as region_code,
    cast(region_kind as string) as region_kind,
    cast(year as integer) as year,
    cast(io_code as string) as io_code,
    cast(io_sector_name as string) as io_sector_name,
    cast(trade_layout as string) as trade_layout,
    cast(use_side_total as double) as use_side_total,
    cast(gross_output as double) as gross_output,
    cast(total_input as double) as total_input,
    cast(use_side_residual as double) as use_side_residual,
    cast(final_use_residual as double) as final_use_residual,
    cast(output_input_residual as double) as output_input_residual,
    cast(tolerance as double) as tolerance,
    cast(use_side_balances as boolean) as use_side_balances,
    cast(final_use_balances as boolean) as final_use_balances,
    cast(output_equals_input as boolean) as output_equals_input,
    cast(
        case
            when use_side_balances and final_use_balances and output_equals_input then 'balances'
            when not use_side_balances then 'use_side_off'
            when not final_use_balances then 'final_use_off'
            else 'output_differs_from_input'
        end as string
    ) as identity_flag,
    cast(identity_cells as string) as identity_cells,
    cast(source_file as string) as source_file,
    cast(source_sheet as string) as source_sheet

from checked
