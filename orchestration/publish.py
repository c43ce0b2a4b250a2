"""How a validated warehouse becomes the file users query.

The published file is written beside the build database under a temporary name and renamed into
place. A rename is atomic, so a reader sees the old file or the new one, never half of one; a
reader holding the old file open keeps reading it, so a refresh never waits on a query.

Each publication also goes into WAREHOUSE_DIR/versions/<time>_<run>/ (a hard link to the same
bytes, as published files are never modified in place) with its manifest; the last
PUBLISH_KEEP_VERSIONS (default 5) are kept.
"""

import json
import os
import shutil
import subprocess
import uuid
from datetime import datetime, timezone
from pathlib import Path

import dagster as dg
import duckdb

from .resources import WarehouseResource
from .settings import REPO_ROOT

# The public SQL interface (dbt models in the marts schema). Add, never silently rename.
PUBLISHED_TABLES = (
    "dim_province",
    "dim_region_group",
    "dim_region_group_member",
    "dim_industry",
    "dim_industry_crosswalk",
    "dim_industry_crosswalk_moved_class",
    "fct_industry_indicator",
    "fct_manufacturing_coverage",
    "fct_quarantine",
    "fct_province_gdp",
    "fct_average_wage",
    "lineage_source_cell",
    "mart_location_quotient",
    "mart_specialization_relative",
    "mart_specialization_bilateral",
    "mart_intensity_shares",
    "mart_growth",
    "mart_region_structure",
    "mart_industry_concentration",
    "mart_shift_share",
    "mart_lq_matrix",
    "mart_bilateral_matrix",
    "fct_hightech_indicator",
    "fct_hightech_copy_comparison",
    "mart_hightech_revenue",
    "mart_hightech_share",
    "mart_hightech_group",
    "mart_hightech_growth",
    "mart_hightech_location_quotient",
    "fct_io_sector",
    "mart_io_manufacturing_coverage",
    "mart_source_reconciliation",
)
DEFAULT_KEEP_VERSIONS = 5


def publish_warehouse(
    build_db: Path, published_db: Path, manifest: dict | None = None, keep_versions: int | None = None,
    tables=PUBLISHED_TABLES,
) -> dict:
    """Copy the published tables from the build database into a new file, then swap it in.

    Returns the manifest, completed with the row counts and the version directory.
    """
    published_db.parent.mkdir(parents=True, exist_ok=True)
    staging = published_db.with_name(f".{published_db.name}.{uuid.uuid4().hex}.tmp")
    published_at = datetime.now(timezone.utc).replace(tzinfo=None)
    manifest = {**(manifest or {}), "published_at": published_at.isoformat(timespec="seconds") + "Z"}
    run = (manifest.get("run_id") or "manual")[:8]
    manifest["version_dir"] = str(published_db.parent / "versions" / f"{published_at:%Y%m%dT%H%M%S}_{run}")
    counts: dict[str, int] = {}
    try:
        with duckdb.connect(str(staging)) as con:
            con.execute(f"attach '{build_db}' as build (read_only)")
            for table in tables:
                con.execute(f"create table main.{table} as select * from build.marts.{table}")
                counts[table] = con.execute(f"select count(*) from main.{table}").fetchone()[0]
            manifest["tables"] = counts
            manifest["source_files"] = [
                dict(zip(("source_family", "source_file", "file_sha256", "n_values"), row))
                for row in con.execute(
                    "select source_family, source_file, file_sha256, n_values from build.raw.source_file "
                    "order by source_family, source_file"
                ).fetchall()
            ]
            con.execute(
                "create table main.publication_table as "
                "select unnest(?::varchar[]) as table_name, unnest(?::bigint[]) as row_count, ?::timestamp as published_at",
                [list(counts), list(counts.values()), published_at],
            )
            con.execute(
                "create table main.publication_source_file as "
                "select *, ?::timestamp as published_at from build.raw.source_file order by source_family, source_file",
                [published_at],
            )
            con.execute(
                "create table main.publication_manifest as select ?::timestamp as published_at, "
                "?::varchar as run_id, ?::json as manifest",
                [published_at, manifest.get("run_id"), json.dumps(manifest, ensure_ascii=False, default=str)],
            )
            con.execute("detach build")
            con.execute("checkpoint")
        os.replace(staging, published_db)
    finally:
        for leftover in (staging, staging.with_name(staging.name + ".wal")):
            leftover.unlink(missing_ok=True)
    _keep_version(published_db, manifest, keep_versions)
    return manifest


def _keep_version(published_db: Path, manifest: dict, keep: int | None) -> None:
    keep = keep if keep is not None else int(os.environ.get("PUBLISH_KEEP_VERSIONS", DEFAULT_KEEP_VERSIONS))
    target = Path(manifest["version_dir"])
    versions = target.parent
    target.mkdir(parents=True, exist_ok=True)
    try:
        os.link(published_db, target / published_db.name)
    except OSError:  # file systems without hard links
        shutil.copy2(published_db, target / published_db.name)
    (target / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1, default=str),
                                          encoding="utf-8")
    for old in sorted(p for p in versions.iterdir() if p.is_dir())[:-keep]:
        shutil.rmtree(old, ignore_errors=True)


def _git_commit() -> str | None:
    try:
        return subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO_ROOT, capture_output=True, text=True,
                              timeout=10).stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None


def _check_summary(context: dg.AssetExecutionContext) -> list[dict]:
    """Every asset check evaluated so far in this run, from the run's event log."""
    records = context.instance.get_records_for_run(
        run_id=context.run.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION, limit=10_000
    ).records
    summary = []
    for record in records:
        evaluation = record.event_log_entry.dagster_event.event_specific_data
        summary.append({
            "asset": evaluation.asset_key.to_user_string(),
            "check": evaluation.check_name,
            "passed": evaluation.passed,
            "severity": evaluation.severity.value,
        })
    return summary


@dg.asset(
    key=["published", "marts_file"],
    group_name="published",
    kinds={"duckdb"},
    deps=[dg.AssetKey(["marts", name]) for name in PUBLISHED_TABLES],
    description="The DuckDB file users query (WAREHOUSE_DIR/marts.duckdb): marts, dimensions, "
    "facts, quarantine and lineage, swapped in atomically once every blocking check has passed. "
    "The last versions are kept in WAREHOUSE_DIR/versions with their manifests.",
)
def published_marts_file(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    settings = warehouse.settings
    checks = _check_summary(context)
    blocking_failures = [c for c in checks if not c["passed"] and c["severity"] == "ERROR"]
    if blocking_failures:
        # Dagster already skips this step when a blocking check fails; this guards the rule itself.
        raise dg.Failure(description=f"Not publishing: blocking checks failed: {blocking_failures}")
    report = settings.warehouse_dir / "reports" / context.run.run_id / "index.html"
    manifest = publish_warehouse(
        settings.build_db,
        settings.published_db,
        manifest={
            "run_id": context.run.run_id,
            "git_commit": _git_commit(),
            "raw_dir": str(settings.raw_dir),
            "checks": {
                "evaluated": len(checks),
                "passed": sum(c["passed"] for c in checks),
                "warnings": [c for c in checks if not c["passed"]],
            },
            "validation_report": str(report) if report.exists() else None,
        },
    )
    metadata = {
        "path": dg.MetadataValue.path(str(settings.published_db)),
        "dagster/row_count": sum(manifest["tables"].values()),
        "tables": dg.MetadataValue.json(manifest["tables"]),
        "version": dg.MetadataValue.path(manifest["version_dir"]),
        "checks_passed": f"{manifest['checks']['passed']} of {manifest['checks']['evaluated']}",
    }
    if report.exists():
        metadata["validation_report"] = dg.MetadataValue.url(report.as_uri())
    return dg.MaterializeResult(metadata=metadata)
