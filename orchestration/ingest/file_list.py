"""raw/file_list: the first step of a run that publishes, whatever launched it (the UI, the
schedule, the sensor, `make run`).

It applies the publication guard's file-list rules (orchestration/preflight.py
`file_list_decision`) to the catalogue's listing of RAW_DIR before any file is parsed: an empty
directory, another directory than the current publication's, source files or the
REGION_GROUPS_FILE gone, a published file that cannot be read. A refused run stops here, in
seconds, tagged REFUSED_TAG, instead of after the whole build;
the guard applies the same rules again before publishing, over the files the build read. A run
with nothing changed since the current publication (raw_snapshot.same_publication, the grounds
`make run` stops on) stops here as well, without a failure: this step yields no output, so Dagster
skips the steps after it, and says why (an observation with its `outcome`, the run's tag). Its
materialization lists the files by family and what changed since the current publication.
"""

from collections import Counter

import dagster as dg
import duckdb

from ..core.errors import SourceFileError
from ..preflight import file_list_decision
from ..publish_scope import NOTHING_CHANGED_TAG, nothing_changed, publish_config, run_publishes, tag_run
from ..raw_snapshot import changes_since_publication, same_publication
from ..resources import WarehouseResource

FILE_LIST_KEY = dg.AssetKey(["raw", "file_list"])
RUN_HEADING = "Not published, decided from RAW_DIR's file list before any file was parsed:"
REFUSED_TAG = "refused: decided from RAW_DIR's file list"


@dg.asset(
    key=FILE_LIST_KEY,
    group_name="raw",
    kinds={"python"},
    # not materialized when nothing changed: every later step of the run is then skipped
    output_required=False,
    description="The files under RAW_DIR each source family will read (and the REGION_GROUPS_FILE), listed "
    "before anything is parsed; it writes nothing. In a run that publishes, the publication guard's file-list "
    "rules are applied here, so a refresh that would be refused stops at once: an empty RAW_DIR or a stray or "
    "unreadable file (never published), another raw directory than the current publication's, or its source "
    "files, a source family or its region groups file gone (published only with ops: publish__publication: "
    "config: allow_changes: true), or a published file that cannot be read. When nothing changed since the "
    "current publication (the same raw directory, files byte for byte, code and comparison pairs), the run "
    "stops here too, as `make run` does: nothing is rebuilt or published (full: true or allow_changes: true in "
    "the same config rebuilds and publishes anyway).",
)
def raw_file_list(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    settings = warehouse.settings
    publishes = run_publishes(context)
    config = publish_config(context)
    decided = file_list_decision(settings, config.allow_changes, RUN_HEADING)
    if publishes:
        refusal = decided.refusal or _unreadable_publication(settings.published_db)
        if refusal:
            tag_run(context, REFUSED_TAG)
            raise dg.Failure(description=refusal, metadata={"raw_dir": str(settings.raw_dir)})
    for note in decided.notes:
        context.log.info(note)
    per_family = Counter(family for family, _ in decided.files)
    described, unchanged = _since_publication(settings)
    metadata = {
        "raw_dir": str(settings.raw_dir),
        "n_files": len(decided.files),
        "files_by_family": dg.MetadataValue.md(
            "\n".join(f"- {family}: {n}" for family, n in sorted(per_family.items())) or "none"
        ),
        "changed_since_publication": described,
    }
    # as `make run`: FULL=1 or ALLOW_CHANGES=1 rebuild and publish though nothing changed
    if unchanged and publishes and not (config.full or config.allow_changes):
        sentence = nothing_changed(*unchanged, settings.raw_dir, rebuilt=False)
        tag_run(context, NOTHING_CHANGED_TAG)
        context.log.info(sentence)
        context.log_event(dg.AssetObservation(asset_key=FILE_LIST_KEY, metadata={**metadata, "outcome": sentence}))
        return  # no output: the steps after this one are skipped
    yield dg.MaterializeResult(metadata=metadata)


def _unreadable_publication(published_db) -> str | None:
    """A refusal when the published file exists but cannot be read: every rule compares with it."""
    if not published_db.exists():
        return None
    try:
        with duckdb.connect(str(published_db), read_only=True) as con:
            con.execute("select count(*) from publication_manifest").fetchone()
    except duckdb.Error as exc:
        reason = str(exc).splitlines()[0]
        return (
            f"{RUN_HEADING}\n- The published file {published_db} cannot be read ({reason}). Put a kept version "
            "back with make rollback, or move the file away to publish afresh.\nNothing was built or published."
        )
    return None


def _since_publication(settings) -> tuple[str, tuple[dict, int] | None]:
    """What changed against the current publication, in words (raw_snapshot.changes_since_publication),
    and its manifest and file count when nothing did (raw_snapshot.same_publication)."""
    try:
        changes, manifest, n_files = changes_since_publication(settings.raw_dir, settings.published_db)
    except duckdb.Error:
        return "not compared: the published file cannot be read", None
    except SourceFileError as exc:
        return f"not listed: {exc}", None
    if not manifest:
        return "nothing is published yet", None
    return changes.describe(), (manifest, n_files) if same_publication(changes, manifest, settings.raw_dir) else None
