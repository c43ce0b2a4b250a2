"""Dagster's run history (the SQLite files in DAGSTER_HOME) written without waiting for the disk.

Dagster's SQLite storage opens a connection per write and commits each event, and SQLite waits
for the disk (fsync) at every commit and at the checkpoint when the last connection closes. A
refresh writes about 850 events (287 of them, "planned" materializations and checks, before the
first step starts): on this 2-core machine, with other processes using the disk, creating the run
alone took 17-30 s, and 3-5 s with `synchronous = off` (docs/benchmarks.md).

Off means a crash of the operating system or a power cut during a write can damage the run
history; a crashing process cannot. The history is the UI's record of runs, not the warehouse:
the published file and its versions are DuckDB files written and renamed by orchestration/publish.py,
and nothing here touches them.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

_installed: set[str] = set()


def write_run_history_without_fsync(dagster_home: str | None = None) -> None:
    """From now on, in this process, every SQLite connection to a file under DAGSTER_HOME is
    opened with `pragma synchronous = off`. Other SQLite files are left alone."""
    home = dagster_home or os.environ.get("DAGSTER_HOME")
    if not home:
        return
    home = str(Path(home).resolve())
    if home in _installed:
        return
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    def no_fsync(dbapi_connection, _record) -> None:
        if not isinstance(dbapi_connection, sqlite3.Connection):
            return
        cursor = dbapi_connection.cursor()
        try:
            files = [row[2] for row in cursor.execute("pragma database_list").fetchall()]
            if any(f and os.path.realpath(f).startswith(home + os.sep) for f in files):
                cursor.execute("pragma synchronous = off")
        finally:
            cursor.close()

    event.listen(Engine, "connect", no_fsync)
    _installed.add(home)
