"""raw/file_list: the first step of a run that publishes, whatever launched it (the UI, the
schedule, the sensor, `make run`).

It applies the publication guard's file-list rules (orchestration/preflight.py
`file_list_decision`) to the catalogue's listing of RAW_DIR before any file is parsed: an empty
directory, another directory than the current publication's, source files or the
REGION_GROUPS_FILE gone. A refused run stops here, in seconds, instead of after the whole build;
the guard applies the same rules again before publishing, over the files the build read. Its
materialization lists the files by family and what changed since the current publication.
"""

from collections import Counter

import dagster as dg
import duckdb

from ..core.errors import SourceFileError
from ..preflight import file_list_decision
from ..publish_scope import BUILD_NOTE, publish_config, published_note, run_publishes
from ..raw_snapshot import FileChanges, published_snapshot, snapshot
from ..resources import WarehouseResource

FILE_LIST_KEY = dg.AssetKey(["raw", "file_list"])
RUN_HEADING = "Not published, decided from RAW_DIR's file list before any file was parsed:"


@dg.asset(
    key=FILE_LIST_KEY,
    group_name="raw",
    kinds={"python"},
    description="The files under RAW_DIR each source family will read (and the REGION_GROUPS_FILE), listed "
    "before anything is parsed. In a run that publishes, the publication guard's file-list rules are applied "
    "here, so a refresh that would be refused stops at once: an empty RAW_DIR (never published), another raw "
    "directory than the current publication's, or its source files or region groups file gone (published only "
    "with ops: publish__publication: config: allow_changes: true). Writes nothing.\n\n" + BUILD_NOTE,
)
def raw_file_list(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    settings = warehouse.settings
    publishes = run_publishes(context)
    decided = file_list_decision(settings, publish_config(context).allow_changes, RUN_HEADING)
    if decided.refusal and publishes:
        raise dg.Failure(description=decided.refusal, metadata={"raw_dir": str(settings.raw_dir)})
    for note in decided.notes:
        context.log.info(note)
    per_family = Counter(family for family, _ in decided.files)
    return dg.MaterializeResult(
        metadata={
            "published": published_note(context),
            "raw_dir": str(settings.raw_dir),
            "n_files": len(decided.files),
            "files_by_family": dg.MetadataValue.md(
                "\n".join(f"- {family}: {n}" for family, n in sorted(per_family.items())) or "none"
            ),
            "changed_since_publication": _changes(settings),
        }
    )


def _changes(settings) -> str:
    """Files added, changed (by SHA-256) and removed against the current publication's."""
    try:
        before, manifest = published_snapshot(settings.published_db)
    except duckdb.Error:
        return "not compared: the published file cannot be read"
    if not manifest:
        return "nothing is published yet"
    try:
        return FileChanges.between(before, snapshot(settings.raw_dir)).describe()
    except SourceFileError as exc:
        return f"not listed: {exc}"
