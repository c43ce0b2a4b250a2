"""Dagster code location: the warehouse's asset graph, job and schedule."""

import dagster as dg

from .checks.assets import suite_checks
from .dbt_assets import warehouse_dbt_models
from .ingest.assets import ingest_assets
from .publish import published_marts_file
from .resources import build_resources
from .schedules import refresh_warehouse_job, yearly_refresh_schedule
from .settings import Settings


def build_definitions(settings: Settings | None = None) -> dg.Definitions:
    return dg.Definitions(
        assets=[*ingest_assets(), warehouse_dbt_models, published_marts_file],
        asset_checks=suite_checks(),
        jobs=[refresh_warehouse_job],
        schedules=[yearly_refresh_schedule],
        resources=build_resources(settings or Settings.from_env()),
    )


defs = build_definitions()
