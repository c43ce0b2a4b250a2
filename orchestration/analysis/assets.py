"""The analysis tables as Dagster assets: computed after dbt, before publishing."""

from __future__ import annotations

import dagster as dg

from ..resources import WarehouseResource
from .integration_regression import TABLE, write_regression_table


@dg.asset(
    key=["analysis", TABLE.name],
    group_name="analysis",
    kinds={"python", "duckdb"},
    deps=[
        dg.AssetKey(["marts", "mart_io_concentration"]),
        dg.AssetKey(["marts", "mart_io_specialization"]),
        dg.AssetKey(["marts", "mart_io_integration"]),
    ],
    description=TABLE.description,
)
def integration_regression(warehouse: WarehouseResource) -> dg.MaterializeResult:
    with warehouse.connect_build() as con:
        frame = write_regression_table(con)
    fitted = frame[frame.null_reason.isna()]
    summary = "\n".join(
        f"- {row.model} {row.term}: {row.coefficient:.3f} ({row.std_error:.3f}), n = {row.n}"
        for row in fitted.itertuples()
    )
    return dg.MaterializeResult(
        metadata={"dagster/row_count": len(frame), "fits": dg.MetadataValue.md(summary or "no model could be fitted")}
    )
