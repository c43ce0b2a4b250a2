"""How a validated warehouse becomes the file users query.

The published file is written beside the build database under a temporary name and renamed into
place. A rename is atomic, so a reader sees the old file or the new one, never half of one; a
reader holding the old file open keeps reading it, so a refresh never waits on a query.

Publishing is a full refresh's last step, never a shortcut: it refuses unless the same run
ingested every source family and rebuilt every dbt model and their checks (so a publication is
always one consistent, fully checked build), unless every blocking check of the run passed, and
unless the build agrees with the current publication (orchestration/publication_guard.py) or the
user said the change is intended. Rebuilding a single asset in the UI updates the build database
only.

Each publication also goes into WAREHOUSE_DIR/versions/<time>_<run>/ (a hard link to the same,
read-only bytes: published files are never modified in place; a rollback copies) with its
manifest; the last PUBLISH_KEEP_VERSIONS (default 5) are kept.
"""

import json
import os
import shutil
import stat
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

import dagster as dg
import duckdb

from .analysis import ANALYSIS_TABLES
from .analysis.integration_regression import SCHEMA as ANALYSIS_SCHEMA
from .checks.published import evaluate_published, publication_metadata
from .checks.report import markdown_summary
from .code_fingerprint import code_fingerprint
from .dbt_registry import dbt_manifest, published_nodes
from .publication_guard import compare_with_publication, refusal_message
from .publish_scope import (
    NOTHING_CHANGED_TAG,
    PUBLISH_STEP_KEY,
    PUBLISHED_KEY,
    PublishConfig,
    nothing_changed,
    tag_run,
)
from .raw_snapshot import unchanged_publication
from .refresh_lock import staging_path
from .resources import WarehouseResource
from .settings import REPO_ROOT, keep_versions, report_pairs_setting

READ_ONLY = stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH


@lru_cache(maxsize=1)
def published_tables() -> tuple[str, ...]:
    """The public SQL interface: every dbt model in models/marts (schema marts), from the manifest.
    Add, never silently rename: the tables are dbt contracts."""
    return tuple(sorted(node["name"] for node in published_nodes(dbt_manifest())))


PUBLISHED_TABLES = published_tables()
# Tables computed in Python after dbt (orchestration/analysis), published beside the marts.
PUBLISHED_ANALYSIS_TABLES = tuple(sorted(ANALYSIS_TABLES))


@contextmanager
def replaced_atomically(published_db: Path) -> Iterator[Path]:
    """A temporary file beside the published one; once the block has written it, it becomes the
    published file, read-only, by one rename. On any error the published file is untouched and
    the temporary file is removed."""
    staging = staging_path(published_db)
    try:
        yield staging
        os.chmod(staging, READ_ONLY)
        os.replace(staging, published_db)
    finally:
        for leftover in (staging, staging.with_name(staging.name + ".wal")):
            leftover.unlink(missing_ok=True)


def _copy_build_comments(con, table: str, schema: str) -> None:
    """The comments a table carries in the build database onto its published copy: the analysis
    tables (orchestration/analysis), which are written with their descriptions by Python, not dbt."""
    comment = con.execute(
        "select comment from duckdb_tables() where database_name = 'build' and schema_name = ? and table_name = ?",
        [schema, table],
    ).fetchone()
    if comment and comment[0]:
        con.execute(f"comment on table main.{table} is {_literal(comment[0])}")
    for column, text in con.execute(
        "select column_name, comment from duckdb_columns() where database_name = 'build' "
        "and schema_name = ? and table_name = ? and comment is not null",
        [schema, table],
    ).fetchall():
        con.execute(f'comment on column main.{table}."{column}" is {_literal(text)}')


def _describe_published_tables(con, tables, manifest: dict) -> None:
    """The dbt descriptions as comments on the published copies, so the published file describes
    itself: duckdb_tables() and duckdb_columns() show them.

    Written here, once per publication, rather than by dbt's persist_docs on every build (3-9 s of
    the build; docs/benchmarks.md): the model's description on the table, each documented
    column's description on that column, as persist_docs writes them. Columns dbt cannot
    document in YAML (the wide views' lq_13, k_110000, ...) are commented in the build by the
    comment_wide_columns post-hook; those comments are carried over. One query, one batch."""
    nodes = {node["name"]: node for node in published_nodes(manifest) if node["name"] in tables}
    statements = []
    existing: dict[str, set[str]] = {}
    for table, column, build_comment in con.execute(
        "select p.table_name, p.column_name, b.comment from duckdb_columns() p left join duckdb_columns() b "
        "on b.database_name = 'build' and b.schema_name = 'marts' and b.table_name = p.table_name "
        "and b.column_name = p.column_name where p.database_name = current_database() and p.schema_name = 'main'"
    ).fetchall():
        existing.setdefault(table, set()).add(column)
        if table in nodes and build_comment is not None and column not in nodes[table]["columns"]:
            statements.append(f'comment on column main.{table}."{column}" is {_literal(build_comment)}')
    for table, node in nodes.items():
        if node["description"]:
            statements.append(f"comment on table main.{table} is {_literal(node['description'])}")
        for column, spec in node["columns"].items():
            if column in existing.get(table, ()):
                statements.append(f'comment on column main.{table}."{column}" is {_literal(spec["description"])}')
    if statements:
        con.execute(";\n".join(statements))


PUBLICATION_TABLES = {
    "publication_table": "Every published table and its row count at this publication",
    "publication_source_file": "Every source file this publication was built from: family, path under RAW_DIR, SHA-256",
    "publication_manifest": "This publication: run, commit, code fingerprint, raw directory, checks, changes allowed",
}


PUBLICATION_COLUMNS = {
    "published_at": "When this publication was made (UTC)",
    "run_id": "The Dagster run that published it",
    "manifest": "The whole manifest as JSON (also in WAREHOUSE_DIR/versions/<time>_<run>/manifest.json)",
    "table_name": "A published table",
    "row_count": "Its rows at this publication",
    "source_family": "Source family of the catalogue (orchestration/ingest/sources.yml)",
    "source_file": "File path under RAW_DIR",
    "file_sha256": "SHA-256 of the file",
    "n_values": "Cells read from the file",
    "loaded_at": "When the file was parsed (UTC)",
    "parser_fingerprint": "Hash of the parser code that read it (a change re-parses the file)",
}


def _describe_publication_tables(con) -> None:
    for table, text in PUBLICATION_TABLES.items():
        columns = [
            row[0]
            for row in con.execute(
                "select column_name from duckdb_columns() where database_name = current_database() and table_name = ?",
                [table],
            ).fetchall()
        ]
        if not columns:
            continue
        con.execute(f"comment on table main.{table} is {_literal(text)}")
        for column in columns:
            if column in PUBLICATION_COLUMNS:
                con.execute(f'comment on column main.{table}."{column}" is {_literal(PUBLICATION_COLUMNS[column])}')


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def publish_warehouse(
    build_db: Path,
    published_db: Path,
    manifest: dict | None = None,
    keep_versions: int | None = None,
    tables=PUBLISHED_TABLES,
    analysis_tables=PUBLISHED_ANALYSIS_TABLES,
) -> dict:
    """Copy the published tables from the build database into a new file, then swap it in.

    Returns the manifest, completed with the row counts and the version directory. Once the rename
    has happened the publication stands: a failure to keep a version afterwards is reported in
    ``manifest['version_warning']``, not raised.
    """
    published_db.parent.mkdir(parents=True, exist_ok=True)
    published_at = datetime.now(UTC).replace(tzinfo=None)
    manifest = {**(manifest or {}), "published_at": published_at.isoformat(timespec="microseconds") + "Z"}
    run = (manifest.get("run_id") or "manual")[:8]
    manifest["version_dir"] = str(published_db.parent / "versions" / f"{published_at:%Y%m%dT%H%M%S%f}_{run}")
    # One DuckDB thread: the copy is of some fifty small tables, where a second thread only adds
    # scheduling (publish_warehouse on the real build, alternately, 4 rounds: 1.8 s against 2.1 s)
    with replaced_atomically(published_db) as staging, duckdb.connect(str(staging), config={"threads": 1}) as con:
        con.execute(f"attach '{build_db}' as build (read_only)")
        manifest["tables"] = _copy_published_tables(con, tables, analysis_tables)
        manifest["source_files"] = _source_files(con)
        # after the counts and files are in the manifest: publication_manifest stores it whole
        _write_publication_tables(con, manifest, published_at)
        con.execute("detach build")
        con.execute("checkpoint")
    try:
        _keep_version(published_db, manifest, keep_versions)
    except OSError as exc:
        manifest["version_warning"] = f"published, but keeping a copy in {manifest['version_dir']} failed: {exc}"
    return manifest


def _copy_published_tables(con, tables, analysis_tables) -> dict[str, int]:
    """The marts and the analysis tables copied from the attached build database, described; returns
    each table's row count."""
    counts: dict[str, int] = {}
    for table in tables:
        con.execute(f"create table main.{table} as select * from build.marts.{table}")
        counts[table] = con.execute(f"select count(*) from main.{table}").fetchone()[0]
    _describe_published_tables(con, tables, dbt_manifest())
    for table in analysis_tables:
        con.execute(f"create table main.{table} as select * from build.{ANALYSIS_SCHEMA}.{table}")
        counts[table] = con.execute(f"select count(*) from main.{table}").fetchone()[0]
        _copy_build_comments(con, table, ANALYSIS_SCHEMA)
    return counts


def _source_files(con) -> list[dict]:
    """Every source file the build was made from, as the manifest lists them."""
    return [
        dict(zip(("source_family", "source_file", "file_sha256", "n_values"), row))
        for row in con.execute(
            "select source_family, source_file, file_sha256, n_values from build.raw.source_file "
            "order by source_family, source_file"
        ).fetchall()
    ]


def _write_publication_tables(con, manifest: dict, published_at: datetime) -> None:
    """The publication's record of itself inside the published file: its tables and row counts, its
    source files and its manifest, described."""
    counts = manifest["tables"]
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
    _describe_publication_tables(con)


def _keep_version(published_db: Path, manifest: dict, keep: int | None) -> None:
    keep = keep if keep is not None else keep_versions()
    target = Path(manifest["version_dir"])
    versions = target.parent
    target.mkdir(parents=True, exist_ok=True)
    try:
        os.link(published_db, target / published_db.name)
    except OSError:  # file systems without hard links
        shutil.copy2(published_db, target / published_db.name)
    manifest_file = target / "manifest.json"
    manifest_file.write_text(json.dumps(manifest, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    os.chmod(manifest_file, READ_ONLY)
    for old in sorted(p for p in versions.iterdir() if p.is_dir())[:-keep]:
        shutil.rmtree(old, ignore_errors=True)


def _git(*arguments: str) -> subprocess.CompletedProcess | None:
    try:
        return subprocess.run(["git", *arguments], cwd=REPO_ROOT, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None


def _git_commit() -> str | None:
    done = _git("rev-parse", "HEAD")
    return (done.stdout.strip() or None) if done else None


def _git_worktree_clean() -> bool | None:
    """Whether the checkout's tracked files are the commit's: a publication built from edited code
    says so beside git_commit (code_fingerprint then tells that code apart). None outside git."""
    done = _git("status", "--porcelain", "--untracked-files=no")
    return None if done is None or done.returncode != 0 else done.stdout.strip() == ""


def _check_summary(context: dg.AssetExecutionContext) -> list[dict]:
    """Every check of the build evaluated so far in this run, from the run's event log. The
    published file's own checks are not the build's: a run that plans them (the implicit asset job
    run whole) evaluates them on the file as it was before this run."""
    records = context.instance.get_records_for_run(
        run_id=context.run.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION, limit=10_000
    ).records
    summary = []
    for record in records:
        evaluation = record.event_log_entry.dagster_event.event_specific_data
        if evaluation.asset_key == PUBLISHED_KEY:
            continue
        summary.append(
            {
                "asset": evaluation.asset_key.to_user_string(),
                "check": evaluation.check_name,
                "passed": evaluation.passed,
                "severity": evaluation.severity.value,
            }
        )
    return summary


def _missing_from_run(context: dg.AssetExecutionContext) -> list[str]:
    """Assets upstream of the published file (every ingest family and every dbt model and seed)
    that this run did not rebuild. Taken from the definitions, not from the run's job: a run of
    a selection sees only the selected part of the graph."""
    from .dbt_assets import warehouse_dbt_models
    from .ingest.catalogue import Catalogue

    required = set(warehouse_dbt_models.keys) | {dg.AssetKey(["raw", key]) for key in Catalogue.load().families}
    required |= {dg.AssetKey([ANALYSIS_SCHEMA, name]) for name in PUBLISHED_ANALYSIS_TABLES}
    records = context.instance.get_records_for_run(
        run_id=context.run.run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION, limit=100_000
    ).records
    done = {r.event_log_entry.dagster_event.asset_key for r in records}
    return sorted(key.to_user_string() for key in required - done)


published_marts_file = dg.AssetSpec(
    PUBLISHED_KEY,
    group_name="published",
    kinds={"duckdb"},
    deps=[PUBLISH_STEP_KEY],
    description="The DuckDB file users query now (WAREHOUSE_DIR/marts.duckdb): marts, dimensions, facts, "
    "quarantine and lineage. Its latest materialization is the current publication (version, time, run, raw "
    "directory, files, checks, reports); its checks read the published file itself. It is not a step of any run: "
    "only the publish step (publish/publication) of a full refresh replaces it, so a run that fails or publishes "
    "nothing leaves it, and its health here, as it was. There is nothing to materialize here: use Materialize all "
    "or the refresh_warehouse job.",
)


@dg.asset(
    key=PUBLISH_STEP_KEY,
    group_name="publish",
    kinds={"duckdb"},
    deps=[dg.AssetKey(["marts", name]) for name in PUBLISHED_TABLES]
    + [dg.AssetKey([ANALYSIS_SCHEMA, name]) for name in PUBLISHED_ANALYSIS_TABLES],
    description="The publish step of a full refresh. It publishes only in a run that rebuilt and checked everything "
    "upstream (Materialize all, or the refresh_warehouse job), once every blocking check has passed: the marts are "
    "copied into a new file and renamed onto WAREHOUSE_DIR/marts.duckdb (published/marts_file) atomically, the last "
    "versions kept in WAREHOUSE_DIR/versions. When nothing changed since the current publication (same raw "
    "directory, files, code and pairs) nothing is published unless full is set (the run's first step, "
    "raw/file_list, normally stops such a run, so this step decides it only when that step was not selected); "
    "a build that differs from the "
    "current publication in a way the guard blocks (another raw directory, files, provinces or years gone, "
    "rewritten series) fails here unless allow_changes is set. Each materialization records what the step "
    "decided (metadata 'outcome', and the run's tag warehouse/publication).",
)
def publication_step(context: dg.AssetExecutionContext, config: PublishConfig, warehouse: WarehouseResource):
    settings = warehouse.settings
    warehouse.release_build()  # the guard and the copy open the build database read-only themselves
    declined = _nothing_to_publish(context, config, settings)
    if declined:
        yield _outcome(context, *declined)
        return
    checks = _checks_passed(context)
    comparison = _agreeing_with_publication(context, config, settings)
    report = settings.warehouse_dir / "reports" / context.run.run_id / "index.html"
    manifest = publish_warehouse(
        settings.build_db,
        settings.published_db,
        manifest=_publication_manifest(context, config, settings, comparison, checks, report),
    )
    if manifest.get("version_warning"):
        context.log.warning(manifest["version_warning"])
    # The publication is a materialization of the published file, recorded by this run; then the
    # published file's checks, evaluated on the file now in place.
    metadata = _publication_metadata(context, config, settings, comparison, manifest, report)
    context.log_event(dg.AssetMaterialization(asset_key=PUBLISHED_KEY, metadata=metadata))
    for evaluation in evaluate_published(settings.published_db):
        context.log_event(evaluation)
    version = Path(manifest["version_dir"]).name
    yield _outcome(
        context,
        f"Published version {version} to {settings.published_db} ({len(manifest['tables'])} tables).",
        f"published: {version}",
        extra={"version_dir": dg.MetadataValue.path(manifest["version_dir"])},
    )


def _nothing_to_publish(context, config: PublishConfig, settings) -> tuple[str, str] | None:
    """(sentence, tag) when this run has nothing to publish; not a failure: nothing went wrong,
    and the published file is as it was."""
    missing = _missing_from_run(context)
    if missing:
        return (
            f"Not published: publishing needs a run that rebuilds and checks everything upstream, and this one "
            f'rebuilt {len(missing)} of those assets less (e.g. {missing[0]}); use "Materialize all" or the '
            f"refresh_warehouse job. The published file {settings.published_db} is unchanged.",
            "nothing: not a full refresh",
        )
    if config.full or config.allow_changes:  # as `make run`: FULL=1 or ALLOW_CHANGES=1 publish
        return None
    unchanged = unchanged_publication(settings.raw_dir, settings.published_db)
    if unchanged is None:
        return None
    manifest, n_files = unchanged
    # reached when the run's selection left out raw/file_list, which otherwise stops such a run first
    return nothing_changed(manifest, n_files, settings.raw_dir, rebuilt=True), NOTHING_CHANGED_TAG


def _checks_passed(context) -> list[dict]:
    """The run's checks of the build, once none that blocks has failed."""
    checks = _check_summary(context)
    blocking_failures = [c for c in checks if not c["passed"] and c["severity"] == "ERROR"]
    if blocking_failures:
        # Dagster already skips this step when a blocking check fails; this guards the rule itself.
        tag_run(context, "refused: blocking checks failed")
        raise dg.Failure(description=f"Not published: blocking checks failed: {blocking_failures}")
    return checks


def _agreeing_with_publication(context, config: PublishConfig, settings):
    """The guard's comparison of the build with the current publication, once it allows publishing."""
    comparison = compare_with_publication(settings.build_db, settings.published_db, settings.raw_dir)
    refusal = refusal_message(
        comparison,
        config.allow_changes,
        "Not published: the build differs from the current publication.",
        settings.published_db,
    )
    if refusal:
        problems = comparison.problems(config.allow_changes)
        tag_run(context, "refused: the build differs from the current publication")
        raise dg.Failure(
            description=refusal,
            metadata={"problems": dg.MetadataValue.md("\n".join(f"- {p}" for p in problems))},
        )
    for note in comparison.notes:
        context.log.info(note)
    return comparison


def _publication_manifest(context, config: PublishConfig, settings, comparison, checks, report: Path) -> dict:
    """What the publication records of itself (publication_manifest, versions/<…>/manifest.json)."""
    return {
        "run_id": context.run.run_id,
        "git_commit": _git_commit(),
        "git_worktree_clean": _git_worktree_clean(),
        "code_fingerprint": code_fingerprint(),
        "raw_dir": str(settings.raw_dir),
        # a publication of the project's own synthetic samples: real extracts replace it freely
        "raw_dir_is_samples": settings.is_sample_raw_dir,
        "report_pairs": report_pairs_setting(),
        "notes": comparison.notes,
        "allowed_changes": comparison.intended_only if config.allow_changes else [],
        "checks": {
            "evaluated": len(checks),
            "passed": sum(c["passed"] for c in checks),
            "warnings": [c for c in checks if not c["passed"]],
        },
        "validation_report": str(report) if report.exists() else None,
    }


def _publication_metadata(context, config: PublishConfig, settings, comparison, manifest: dict, report: Path) -> dict:
    """What the UI shows on published/marts_file of this publication."""
    metadata = {
        **publication_metadata(manifest, settings.published_db),
        "dagster/row_count": sum(manifest["tables"].values()),
        "tables": dg.MetadataValue.json(manifest["tables"]),
        "version_dir": dg.MetadataValue.path(manifest["version_dir"]),
    }
    if comparison.notes:
        metadata["notes"] = dg.MetadataValue.md("\n".join(f"- {n}" for n in comparison.notes))
    if comparison.intended_only and config.allow_changes:
        metadata["allowed_changes"] = dg.MetadataValue.md("\n".join(f"- {p}" for p in comparison.intended_only))
    if report.exists():
        metadata["validation_report"] = dg.MetadataValue.path(str(report))
        # the report's failures and warnings, rendered in the UI where the publication is shown
        metadata["validation_summary"] = dg.MetadataValue.md(
            markdown_summary(settings.warehouse_dir, context.run.run_id)
        )
    return metadata


def _outcome(context: dg.AssetExecutionContext, sentence: str, tag: str, extra: dict | None = None):
    """The publish step's materialization: what it decided, in one sentence, also the run's tag."""
    (context.log.info if tag.startswith("published") else context.log.warning)(sentence)
    tag_run(context, tag)
    return dg.MaterializeResult(metadata={"outcome": sentence, **(extra or {})})
