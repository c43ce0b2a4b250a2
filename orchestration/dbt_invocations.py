"""dbt's directories of past invocations under dbt_project/target, kept to the last few.

dagster-dbt gives every dbt invocation a directory of its own in target/ (`<step>-<run>-<id>`:
compiled SQL, run_results.json, copies of the manifest and of the saved parse; about 8 MB for a
build of this project, which writes no dbt log file there) and removes none, so every refresh left
a directory behind. What a
user reads after a run is in the run's own log and reports (WAREHOUSE_DIR); the latest directories
stay for whoever wants dbt's compiled SQL of a recent failure.
"""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

KEEP = 10
# A directory this young may belong to a run still going (another process, another test worker).
KEEP_YOUNGER_THAN_SECONDS = 24 * 3600
INVOCATION_DIR = re.compile(r"^\w+-[0-9a-f]{7}-[0-9a-f]{7}$")


def remove_old_invocations(target_dir: Path, *, now: float | None = None) -> list[Path]:
    """Remove the invocation directories beyond the KEEP newest that are also older than a day;
    the directories removed."""
    now = time.time() if now is None else now
    found = [p for p in target_dir.iterdir() if p.is_dir() and INVOCATION_DIR.match(p.name)]
    found.sort(key=lambda p: p.stat().st_mtime, reverse=True)
    removed = []
    for directory in found[KEEP:]:
        if now - directory.stat().st_mtime > KEEP_YOUNGER_THAN_SECONDS:
            shutil.rmtree(directory, ignore_errors=True)
            removed.append(directory)
    return removed
