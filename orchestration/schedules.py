"""The refresh job, its yearly schedule and the raw-data sensor.

Both automatic paths carry their run config explicitly (shown in the UI): the raw-data and
warehouse directories the code location was started with. They run only while a Dagster daemon
runs (`make ui` starts one with `dagster dev`).
"""

from __future__ import annotations

import hashlib
import json

import dagster as dg

from .core.errors import SourceFileError
from .raw_snapshot import FileChanges, published_snapshot, snapshot
from .settings import Settings

refresh_warehouse_job = dg.define_asset_job(
    name="refresh_warehouse",
    selection=dg.AssetSelection.all(),
    description="Ingest every catalogued source, build the dbt models and tests, publish marts.duckdb "
    "(with nothing changed since the current publication the run stops at its first step, raw/file_list: "
    "config full rebuilds and publishes anyway). Runs in one "
    "process, one step at a time, holding the warehouse's refresh lock (DuckDB allows a single writer).",
    tags={"warehouse/publishes": "marts.duckdb, if every blocking check passes and something changed"},
)


def raw_dir_warning(settings: Settings) -> str | None:
    """A sentence when this code location reads another raw directory than the current publication
    was built from (a refresh from here is then refused unless allow_changes is set)."""
    try:
        _, manifest = published_snapshot(settings.published_db)
    except Exception:  # an unreadable publication is refused by a publishing run's first step, raw/file_list
        return None
    published_from = manifest.get("raw_dir")
    if not published_from or published_from == str(settings.raw_dir):
        return None
    return (
        f"The UI was started with RAW_DIR={settings.raw_dir}, but the current publication in "
        f"{settings.warehouse_dir} was built from {published_from}: a refresh from here is refused unless "
        "allow_changes is set. Start it with make ui RAW_DIR=" + published_from + " to refresh that data."
    )


def refresh_run_config(settings: Settings) -> dict:
    return {
        "resources": {
            "warehouse": {
                "config": {
                    "raw_dir": str(settings.raw_dir),
                    "warehouse_dir": str(settings.warehouse_dir),
                }
            }
        }
    }


def yearly_refresh_schedule(settings: Settings) -> dg.ScheduleDefinition:
    # Statistical yearbooks appear in the autumn; refresh on 1 December. Off until a user turns it on.
    return dg.ScheduleDefinition(
        name="yearly_refresh",
        job=refresh_warehouse_job,
        cron_schedule="0 6 1 12 *",
        execution_timezone="Asia/Shanghai",
        run_config=refresh_run_config(settings),
        default_status=dg.DefaultScheduleStatus.STOPPED,
        description=f"Refresh from {settings.raw_dir} into {settings.warehouse_dir} every 1 December. A refresh "
        "from another raw directory than the current publication's is refused at its first step, raw/file_list."
        + (f" WARNING: {warning}" if (warning := raw_dir_warning(settings)) else ""),
    )


def raw_files_sensor(settings: Settings) -> dg.SensorDefinition:
    @dg.sensor(
        name="raw_files_changed",
        job=refresh_warehouse_job,
        minimum_interval_seconds=60,
        default_status=dg.DefaultSensorStatus.STOPPED,
        description=f"Starts a refresh when a catalogued file under {settings.raw_dir} is added, changed or "
        "removed, compared by SHA-256 with the files the current publication was built from."
        + (f" WARNING: {warning}" if (warning := raw_dir_warning(settings)) else ""),
    )
    def _sensor(context: dg.SensorEvaluationContext):
        try:
            current = snapshot(settings.raw_dir)
        except SourceFileError as exc:
            return dg.SkipReason(f"Not starting a refresh: {exc}")
        published, _ = published_snapshot(settings.published_db)
        changes = FileChanges.between(published, current)
        if not changes:
            return dg.SkipReason(f"No file changed since the current publication ({len(current)} files).")
        key = hashlib.sha256(json.dumps(sorted(current.items())).encode()).hexdigest()[:16]
        if context.cursor == key:
            return dg.SkipReason(f"Already started a refresh for these files ({changes.describe()}).")
        context.log.info(f"Files changed since the current publication: {changes.describe()}")
        return dg.SensorResult(
            run_requests=[
                dg.RunRequest(
                    run_key=key,
                    run_config=refresh_run_config(settings),
                    tags={"warehouse/changed_files": changes.describe(limit=5)[:1000]},
                )
            ],
            cursor=key,
        )

    return _sensor
