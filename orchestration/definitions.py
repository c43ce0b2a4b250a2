"""Dagster code location: the warehouse's asset graph, job, schedule and sensor."""

import dagster as dg

from .analysis.assets import integration_regression
from .checks.assets import suite_checks
from .checks.published import published_file_after_failed_run, published_file_checks
from .dbt_assets import warehouse_dbt_models
from .ingest.assets import ingest_assets
from .publish import publication_step, published_marts_file
from .report.asset import comparison_reports
from .resources import build_resources
from .schedules import raw_dir_warning, raw_files_sensor, refresh_warehouse_job, yearly_refresh_schedule
from .settings import Settings


def build_definitions(settings: Settings | None = None) -> dg.Definitions:
    settings = settings or Settings.from_env()
    published = published_marts_file
    warning = raw_dir_warning(settings)
    if warning:
        # shown where a UI user looks for what is published: the published asset's page (the
        # schedule and the sensor say it too). Not logged: `make run` builds these definitions
        # as well, and its own preflight says what a refresh from another directory does.
        (published,) = dg.map_asset_specs(
            lambda spec: spec.replace_attributes(description=f"WARNING: {warning}\n\n{spec.description}"),
            [published_marts_file],
        )
    return dg.Definitions(
        assets=[
            *ingest_assets(),
            warehouse_dbt_models,
            integration_regression,
            publication_step,
            published,
            comparison_reports,
        ],
        asset_checks=[*suite_checks(), *published_file_checks()],
        jobs=[refresh_warehouse_job],
        schedules=[yearly_refresh_schedule(settings)],
        sensors=[raw_files_sensor(settings), published_file_after_failed_run()],
        resources=build_resources(settings),
        # Every job, the implicit one behind "Materialize all" and any asset selection included,
        # runs its steps one at a time in the run's process: DuckDB allows one writer per file, and
        # the refresh lock is held by that process for the whole run.
        executor=dg.in_process_executor,
    )


defs = build_definitions()
