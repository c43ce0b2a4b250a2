"""Checks of the published file itself (WAREHOUSE_DIR/marts.duckdb), not of the build.

They answer "what is published now, and is it healthy" in the UI, on published/marts_file: they
read only the published file and its manifest, so a build that fails never changes their answer.
The publish step evaluates them on the file it has just put in place; "Execute" on the asset's
checks tab evaluates them again at any time. published/marts_file is not a step of any run, so no
run plans these checks and a failed run cannot mark them failed.
"""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import duckdb

from ..publish_scope import PUBLICATION_TAG, PUBLISHED_KEY
from ..raw_snapshot import published_snapshot
from ..resources import WarehouseResource
from ..settings import COMPARISON_REPORTS_DIR_NAME


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
    reports = published_db.parent / COMPARISON_REPORTS_DIR_NAME
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
            "lists is there with its row count. Evaluated by the publish step on the file it put in place; "
            "Execute evaluates it again on the file as it is now.",
        ),
        _build_check(
            1,
            "publication_passed_its_checks",
            "The run that made the current publication passed every blocking check (warnings are "
            "counted: '167 passed, 4 warnings'). Reads the publication's manifest, not the last run.",
        ),
    ]


def published_file_after_failed_run() -> dg.SensorDefinition:
    @dg.run_failure_sensor(
        name="published_file_after_a_failed_run",
        default_status=dg.DefaultSensorStatus.RUNNING,
        minimum_interval_seconds=15,
        description="After a run fails, tags it with what it did to the published file (nothing: the file is "
        "unchanged), unless a step already said (a refusal by raw/file_list or by the publish step), so the Runs "
        "list reads as what each run published. The published file's checks are not touched by a failed run.",
    )
    def _sensor(context: dg.RunFailureSensorContext):
        run = context.dagster_run
        if PUBLICATION_TAG not in run.tags:
            tag = "nothing: the run failed before publishing; the published file is unchanged"
            context.instance.add_run_tags(run.run_id, {PUBLICATION_TAG: tag})
        context.log.info(f"Run {run.run_id[:8]} failed; tagged {PUBLICATION_TAG}.")

    return _sensor
