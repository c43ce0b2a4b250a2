"""What a run publishes, said on every build asset: the build database is not what users query.

Every asset but raw/file_list (which writes nothing), publish/* and published/* writes the build
database (WAREHOUSE_DIR/build.duckdb);
users query the published file (published/marts_file), which only the publish step replaces. Each
build asset's description says so, and each of its materializations says whether its run will
publish or built for nothing but the build database (a single asset or a subset from the UI).
"""

from __future__ import annotations

import dagster as dg

PUBLISHED_KEY = dg.AssetKey(["published", "marts_file"])
# The step that publishes. The published file itself (PUBLISHED_KEY) is not a step of any run: the
# publish step records its publications, so a run that fails, or publishes nothing, leaves the
# published asset and its checks as they were.
PUBLISH_STEP_KEY = dg.AssetKey(["publish", "publication"])
PUBLISH_OP = "publish__publication"
# The run tag that says what a run did to the published file, in the Runs list.
PUBLICATION_TAG = "warehouse/publication"

BUILD_NOTE = (
    "Build — not published: this asset lives in the build database (WAREHOUSE_DIR/build.duckdb). Users query "
    "the published file, published/marts_file, which only the publish step (publish/publication) replaces, in a run "
    "that rebuilds and checks everything."
)
NOT_PUBLISHED_HERE = (
    "nothing — this run built into the build database only; users see it after the next full refresh publishes "
    "(Materialize all, or the refresh_warehouse job)."
)
PUBLISHED_IN_THIS_RUN = (
    "by publish/publication at the end of this run, if every blocking check passes and something changed."
)


BUILD_ONLY_TAG = "nothing: built into the build database only"
NOTHING_CHANGED_TAG = "nothing: nothing changed"


class PublishConfig(dg.Config):
    allow_changes: bool = False
    """Publish even though the build differs from the current publication in a way the guard
    blocks (another raw directory, files, provinces or years gone, rewritten series). An empty build
    or two identical provinces are never published."""
    full: bool = False
    """Publish even though nothing changed since the current publication (same raw directory,
    files byte for byte, code and comparison pairs): a new version of the same numbers. (So does
    allow_changes, as `make run ALLOW_CHANGES=1` does.)"""


def run_publishes(context: dg.AssetExecutionContext) -> bool:
    """Whether this run's selection holds the publish step."""
    selection = context.run.asset_selection
    # no selection (None, or empty in a job run in process) is the whole job, publishing included
    return not selection or PUBLISH_STEP_KEY in selection


def publish_config(context: dg.AssetExecutionContext) -> PublishConfig:
    """The publish step's config as this run was launched with it, read by an earlier step (the
    raw file list applies the guard's file-list rules before anything is parsed)."""
    ops = (context.run.run_config or {}).get("ops") or {}
    return PublishConfig(**((ops.get(PUBLISH_OP) or {}).get("config") or {}))


def published_note(context: dg.AssetExecutionContext) -> str:
    """The 'published' metadata of a build asset's materialization in this run; a run without the
    publish step is also tagged so in the Runs list."""
    if run_publishes(context):
        return PUBLISHED_IN_THIS_RUN
    if context.run.tags.get(PUBLICATION_TAG) != BUILD_ONLY_TAG:
        context.instance.add_run_tags(context.run.run_id, {PUBLICATION_TAG: BUILD_ONLY_TAG})
    return NOT_PUBLISHED_HERE


def tag_run(context: dg.AssetExecutionContext, text: str) -> None:
    """Say in the Runs list what this run did to the published file (PUBLICATION_TAG)."""
    context.instance.add_run_tags(context.run.run_id, {PUBLICATION_TAG: text})


def nothing_changed(manifest: dict, n_files: int, raw_dir, rebuilt: bool) -> str:
    """What a run that publishes says when nothing changed since the current publication (the
    grounds: raw_snapshot.unchanged_publication, shared with `make run`)."""
    done = "The build database was rebuilt" if rebuilt else "Nothing was rebuilt"
    return (
        f"Nothing published: nothing changed since the publication of {manifest.get('published_at')} (run "
        f"{str(manifest.get('run_id'))[:8]}): the same {n_files} files from {raw_dir}, byte for byte, "
        f"the same code and comparison pairs. {done}; the published file is unchanged. "
        f"Publish anyway with ops: {PUBLISH_OP}: config: full: true."
    )
