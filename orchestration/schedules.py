"""The refresh job and its yearly schedule."""

import dagster as dg

# One process, one step at a time: DuckDB allows a single writer per file.
refresh_warehouse_job = dg.define_asset_job(
    name="refresh_warehouse",
    selection=dg.AssetSelection.all(),
    executor_def=dg.in_process_executor,
    description="Ingest every catalogued source, build the dbt models and tests, publish marts.duckdb.",
)

# Statistical yearbooks appear in the autumn; refresh on 1 December. Off until a user turns it on.
yearly_refresh_schedule = dg.ScheduleDefinition(
    name="yearly_refresh",
    job=refresh_warehouse_job,
    cron_schedule="0 6 1 12 *",
    execution_timezone="Asia/Shanghai",
    default_status=dg.DefaultScheduleStatus.STOPPED,
)
