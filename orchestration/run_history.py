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
from functools import lru_cache
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


# The same for every process of `make ui` (webserver, daemon, each run's worker): dagster.yaml
# (orchestration/dagster_instance.yaml) names these storages, so each process opens its run history
# through them. Creating a run from the UI writes the run's "planned" events in the webserver
# before the run can start; with a commit that waits for the disk per event, that was most of the
# time between a click and the run's start (docs/benchmarks.md). Same files, same layout as
# Dagster's default SQLite storage (DAGSTER_HOME/history/runs.db and history/runs/*.db).


def _history_dir(config_value: dict, *parts: str) -> str:
    return config_value.get("base_dir") or os.path.join(os.environ["DAGSTER_HOME"], "history", *parts)


@lru_cache(maxsize=1)
def _storage_classes():
    from dagster import Field, StringSource
    from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage
    from dagster._core.storage.runs.sqlite.sqlite_run_storage import SqliteRunStorage

    config = {"base_dir": Field(StringSource, is_required=False)}

    class RunStorageWithoutFsync(SqliteRunStorage):
        @classmethod
        def config_type(cls):
            return config

        @classmethod
        def from_config_value(cls, inst_data, config_value):
            base_dir = _history_dir(config_value)
            write_run_history_without_fsync(str(Path(base_dir).parent))
            return cls.from_local(base_dir=base_dir, inst_data=inst_data)

    class EventLogStorageWithoutFsync(SqliteEventLogStorage):
        @classmethod
        def config_type(cls):
            return config

        @classmethod
        def from_config_value(cls, inst_data, config_value):
            base_dir = _history_dir(config_value, "runs")
            write_run_history_without_fsync(str(Path(base_dir).parent.parent))
            return cls(base_dir=base_dir, inst_data=inst_data)

    return RunStorageWithoutFsync, EventLogStorageWithoutFsync


def __getattr__(name: str):
    # Dagster imports the storages by name from dagster.yaml; defined on first use so that
    # importing this module (as `make run` does before Dagster) does not import Dagster.
    if name in ("RunStorageWithoutFsync", "EventLogStorageWithoutFsync"):
        return dict(zip(("RunStorageWithoutFsync", "EventLogStorageWithoutFsync"), _storage_classes()))[name]
    raise AttributeError(name)
