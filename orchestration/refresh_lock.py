"""One lock around a whole refresh of a warehouse directory.

Every launch path — `make run`, "Materialize all" or any asset selection in the UI, the Launchpad,
the schedule, the sensor — executes its steps in one process (the code location's default
executor is in-process), and that process takes this lock when the warehouse resource is set up,
before the first file is read, and releases it after the last step (publish) has finished. A
second refresh of the same WAREHOUSE_DIR is refused at once with a sentence naming the holder.

The lock is an advisory `flock` on WAREHOUSE_DIR/refresh.lock: the kernel releases it when the
holding process dies, however it dies (SIGKILL included), so a crashed refresh never leaves a
stale lock behind. The file's text only describes the holder, for the refusal message.

A publication is written to a staging file beside the published one (`staging_path`) and renamed
into place, all while its refresh holds this lock. A staging file found by the next holder was
left by a refresh that died while publishing (kill -9, power loss): taking the lock removes it and
says which (`refresh_lock` for every launch path, `clear_leftovers` for `make run`'s pre-flight).
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

LOCK_NAME = "refresh.lock"
STAGING_PREFIX = ".publishing_"


def staging_path(published_db: Path) -> Path:
    """Where a new publication is written before its rename. DuckDB names a file's catalog after
    its name up to the first dot: ".marts.duckdb..." would be catalog "marts", which a build
    view's "marts.<table>" then also names (an ambiguous reference)."""
    return published_db.with_name(f"{STAGING_PREFIX}{uuid.uuid4().hex}.{published_db.name}.tmp")


def _remove_leftover_staging(warehouse_dir: Path) -> list[str]:
    """Staging files (and their WAL) of refreshes that died while publishing; call only holding the lock."""
    removed = []
    for path in sorted(warehouse_dir.glob(f"{STAGING_PREFIX}*")):
        size = path.stat().st_size
        path.unlink(missing_ok=True)
        removed.append(f"{path.name} ({size / 2**20:,.1f} MiB)")
    return removed


def describe_removed(removed: list[str], warehouse_dir: Path) -> str:
    return (
        f"Removed {len(removed)} staging file{'s' if len(removed) > 1 else ''} a killed refresh left in "
        f"{warehouse_dir}: {', '.join(removed)}."
    )


class RefreshLocked(RuntimeError):
    """Another refresh of the same warehouse directory is running."""


def describe_holder(lock_path: Path) -> str:
    try:
        holder = json.loads(lock_path.read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        holder = {}
    if not holder:
        return "another process (no description recorded)"
    parts = [f"run {holder.get('run_id', '?')}", f"pid {holder.get('pid', '?')} on {holder.get('host', '?')}"]
    if holder.get("launched_by"):
        parts.append(f"launched from {holder['launched_by']}")
    if holder.get("started_at"):
        parts.append(f"started {holder['started_at']}")
    if holder.get("raw_dir"):
        parts.append(f"reading {holder['raw_dir']}")
    return ", ".join(parts)


@contextmanager
def refresh_lock(warehouse_dir: Path, *, run_id: str, raw_dir: Path, launched_by: str) -> Iterator[list[str]]:
    """Hold the warehouse's refresh lock for the duration of the block, or raise RefreshLocked.
    The block receives the leftover staging files that were removed (usually none)."""
    warehouse_dir.mkdir(parents=True, exist_ok=True)
    lock_path = warehouse_dir / LOCK_NAME
    handle = open(lock_path, "a+", encoding="utf-8")  # noqa: SIM115 - held open until the lock is released below
    try:
        _take(handle, warehouse_dir, lock_path)
        removed = _remove_leftover_staging(warehouse_dir)
        handle.seek(0)
        handle.truncate()
        handle.write(
            json.dumps(
                {
                    "run_id": run_id,
                    "pid": os.getpid(),
                    "host": socket.gethostname(),
                    "launched_by": launched_by,
                    "raw_dir": str(raw_dir),
                    "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
                }
            )
        )
        handle.flush()
        try:
            yield removed
        finally:
            handle.seek(0)
            handle.truncate()
            handle.flush()
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
    finally:
        handle.close()


def _take(handle, warehouse_dir: Path, lock_path: Path) -> None:
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise RefreshLocked(
            f"Another refresh is already running on {warehouse_dir}: {describe_holder(lock_path)}. "
            "This one did nothing and published nothing; start it again when that one has finished."
        ) from None


def clear_leftovers(warehouse_dir: Path) -> list[str]:
    """Take the lock for a moment, without describing a holder, to remove leftover staging files
    before a refresh starts (`make run`'s pre-flight); raise RefreshLocked if a refresh runs."""
    lock_path = warehouse_dir / LOCK_NAME
    if not warehouse_dir.is_dir():
        return []
    with open(lock_path, "a+", encoding="utf-8") as handle:
        _take(handle, warehouse_dir, lock_path)
        try:
            return _remove_leftover_staging(warehouse_dir)
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def launched_by(tags: dict[str, str]) -> str:
    """Which launch path started a run, from the tags Dagster puts on it."""
    if tags.get("dagster/schedule_name"):
        return f"the schedule {tags['dagster/schedule_name']}"
    if tags.get("dagster/sensor_name"):
        return f"the sensor {tags['dagster/sensor_name']}"
    if tags.get("warehouse/launched_by"):
        return tags["warehouse/launched_by"]
    return "the Dagster UI or API"
