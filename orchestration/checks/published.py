"""Checks of the published file itself (WAREHOUSE_DIR/marts.duckdb), not of the build.

They answer "what is published now, and is it healthy" in the UI, on published/marts_file: they
read only the published file and its manifest, so a build that fails never changes their answer.
They run after each publication, in the run that published; a run that fails before publishing
also plans them (Dagster marks planned checks of a failed run "Execution failed"), so the sensor
below evaluates them again on the published file as soon as such a run has failed, and reports the
results outside any run: the published asset's checks show the current publication again.
"""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import duckdb

from ..publish_scope import PUBLISHED_KEY
from ..raw_snapshot import published_snapshot
from ..resources import WarehouseResource
from ..settings import Settings


def checks_summary(checks: dict) -> str:
    """'167 passed, 4 warnings' from a manifest's checks (warnings never block a publication)."""
    warnings = len(checks.get("warnings", []))
    return f"{checks.get('passed', 0)} passed, {warnings} warning{'s' if warnings != 1 else ''}"


def publication_metadata(manifest: dict, published_db: Path) -> dict:
    """What the UI shows of a publication: version, time, run, raw directory, files, checks, reports."""
    checks = manifest.get("checks", {})
    metadata = {
        "version": Path(manifest.get("version_dir", "")).name or "unknown",
        "published_at": f"{manifest.get('published_at', '')} (UTC)",
        "published_by_run": str(manifest.get("run_id")),
        "raw_dir": str(manifest.get("raw_dir")),
        "source_files": len(manifest.get("source_files", [])),
        "checks": checks_summary(checks),
        "path": dg.MetadataValue.path(str(published_db)),
    }
    if checks.get("warnings"):
        metadata["warnings"] = dg.MetadataValue.md(
            "\n".join(f"- {w['asset']}: {w['check']}" for w in checks["warnings"])
        )
    if manifest.get("validation_report"):
        metadata["validation_report"] = dg.MetadataValue.path(manifest["validation_report"])
    reports = published_db.parent / "comparison-reports"
    if reports.is_dir():
        metadata["comparison_reports"] = dg.MetadataValue.path(str(reports))
    return metadata


def evaluate_published(published_db: Path) -> list[dg.AssetCheckEvaluation]:
    """Both checks of the published file, as evaluations (for the asset checks and the sensor)."""
    try:
        _, manifest = published_snapshot(published_db)
    except duckdb.Error as exc:
        manifest, problem = {}, f"{published_db} cannot be read: {exc}"
    else:
        problem = None if manifest else f"nothing is published yet in {published_db.parent}"
    problems = _incomplete(published_db, manifest) if manifest else [problem]
    meta = publication_metadata(manifest, published_db) if manifest else {"problem": problem}
    checks = manifest.get("checks", {})
    failed_blocking = checks.get("evaluated", 0) - checks.get("passed", 0) - len(checks.get("warnings", []))
    return [
        dg.AssetCheckEvaluation(
            asset_key=PUBLISHED_KEY,
            check_name="published_file_is_complete",
            passed=not problems,
            metadata={**meta, "missing_or_short": dg.MetadataValue.md("\n".join(f"- {p}" for p in problems) or "none")},
            description="; ".join(problems)
            or "Every table of the current publication is in the published file with its row count.",
        ),
        dg.AssetCheckEvaluation(
            asset_key=PUBLISHED_KEY,
            check_name="publication_passed_its_checks",
            # warnings never block a publication; they are counted and listed, not failed
            passed=bool(manifest) and failed_blocking == 0,
            metadata=meta,
            description=f"The run that made the current publication: {checks_summary(checks)}."
            if manifest
            else problem,
        ),
    ]


def _incomplete(published_db: Path, manifest: dict) -> list[str]:
    """Tables of the manifest missing from the published file or with another row count."""
    problems = []
    with duckdb.connect(str(published_db), read_only=True) as con:
        present = {r[0] for r in con.execute("select table_name from duckdb_tables()").fetchall()}
        for table, rows in manifest.get("tables", {}).items():
            if table not in present:
                problems.append(f"{table} is missing")
                continue
            found = con.execute(f'select count(*) from main."{table}"').fetchone()[0]
            if found != rows:
                problems.append(f"{table} has {found} rows, published with {rows}")
    return problems


def _as_result(evaluation: dg.AssetCheckEvaluation) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        passed=evaluation.passed,
        metadata=evaluation.metadata,
        description=evaluation.description,
        severity=dg.AssetCheckSeverity.ERROR,
    )


def _build_check(index: int, name: str, description: str) -> dg.AssetChecksDefinition:
    @dg.asset_check(asset=PUBLISHED_KEY, name=name, description=description, blocking=False)
    def _check(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        return _as_result(evaluate_published(warehouse.settings.published_db)[index])

    return _check


def published_file_checks() -> list[dg.AssetChecksDefinition]:
    return [
        _build_check(
            0,
            "published_file_is_complete",
            "The published file (WAREHOUSE_DIR/marts.duckdb), not the build: every table its publication "
            "lists is there with its row count. Evaluated after each publication, and again on the "
            "published file after any failed run (sensor published_file_after_a_failed_run).",
        ),
        _build_check(
            1,
            "publication_passed_its_checks",
            "The run that made the current publication passed every blocking check (warnings are "
            "counted: '167 passed, 4 warnings'). Reads the publication's manifest, not the last run.",
        ),
    ]


def _warehouse_dir_of(run: dg.DagsterRun, settings: Settings) -> Path:
    """The warehouse directory a run used: its Launchpad config, else the code location's."""
    config = (run.run_config or {}).get("resources", {}).get("warehouse", {}).get("config", {})
    return Path(config.get("warehouse_dir") or settings.warehouse_dir)


def published_file_after_failed_run(settings: Settings) -> dg.SensorDefinition:
    @dg.run_failure_sensor(
        name="published_file_after_a_failed_run",
        default_status=dg.DefaultSensorStatus.RUNNING,
        minimum_interval_seconds=15,
        description="After a run fails, evaluates the published file's checks again on the published file "
        "and reports them outside any run, so published/marts_file shows the current publication (which a "
        "failed run never touches), not the failed attempt. The failed run keeps its own failure.",
    )
    def _sensor(context: dg.RunFailureSensorContext):
        published_db = _warehouse_dir_of(context.dagster_run, settings) / "marts.duckdb"
        for evaluation in evaluate_published(published_db):
            context.instance.report_runless_asset_event(evaluation)
        context.log.info(f"Run {context.dagster_run.run_id[:8]} failed; re-checked {published_db}.")

    return _sensor
