"""What a run publishes, said on every build asset: the build database is not what users query.

Every asset but published/* writes the build database (WAREHOUSE_DIR/build.duckdb); users query
the published file, which only published/marts_file replaces. Each build asset's description says
so, and each of its materializations says whether its run will publish or built for nothing but
the build database (a single asset or a subset from the UI).
"""

from __future__ import annotations

import dagster as dg

PUBLISHED_KEY = dg.AssetKey(["published", "marts_file"])

BUILD_NOTE = (
    "Build — not published: this asset lives in the build database (WAREHOUSE_DIR/build.duckdb). Users query "
    "the published file, which only published/marts_file replaces, in a run that rebuilds and checks everything."
)
NOT_PUBLISHED_HERE = (
    "nothing — this run built into the build database only; users see it after the next full refresh publishes "
    "(Materialize all, or the refresh_warehouse job)."
)
PUBLISHED_IN_THIS_RUN = (
    "by published/marts_file at the end of this run, if every blocking check passes and something changed."
)


def published_note(context: dg.AssetExecutionContext) -> str:
    """The 'published' metadata of a build asset's materialization in this run."""
    selection = context.run.asset_selection
    # no selection (None, or empty in a job run in process) is the whole job, publishing included
    return PUBLISHED_IN_THIS_RUN if not selection or PUBLISHED_KEY in selection else NOT_PUBLISHED_HERE
