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
from collections import OrderedDict
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

_installed: set[str] = set()

# Engines of run files an event log storage keeps (the index's is one of them).
_KEPT_ENGINES = 32


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


def _history_config():
    from dagster import Field, StringSource

    return {"base_dir": Field(StringSource, is_required=False)}


@lru_cache(maxsize=1)
def _run_storage_class():
    from dagster._core.storage.runs.sqlite.sqlite_run_storage import SqliteRunStorage

    class RunStorageWithoutFsync(SqliteRunStorage):
        @classmethod
        def config_type(cls):
            return _history_config()

        @classmethod
        def from_config_value(cls, inst_data, config_value):
            base_dir = _history_dir(config_value)
            write_run_history_without_fsync(str(Path(base_dir).parent))
            return cls.from_local(base_dir=base_dir, inst_data=inst_data)

    return RunStorageWithoutFsync


@lru_cache(maxsize=1)
def _event_log_storage_class():
    from dagster._core.storage.event_log.sqlite.sqlite_event_log import (
        INDEX_SHARD_NAME,
        SQLITE_BUSY_TIMEOUT_SECONDS,
        SqliteEventLogStorage,
    )
    from dagster._core.storage.sql import create_engine
    from sqlalchemy.engine import Engine
    from sqlalchemy.pool import NullPool

    class EventLogStorageWithoutFsync(SqliteEventLogStorage):
        """Dagster's SQLite event log, its connection engines kept instead of made per write.

        Dagster creates a SQLAlchemy engine for every connection, about five per event (the
        run's file, then the cross-run index for materializations and checks): storing the 1,143
        events of a real refresh took 4.3-4.5 s, and 1.9 s with the engines kept
        (docs/benchmarks.md). The index's connection stays open between writes. A run's file
        still gets a new connection per write, closed after it: closing the last connection
        folds SQLite's write-ahead log into `<run_id>.db`, and that change of the file is what
        the webserver's watcher waits for to show a running run's new events."""

        def __init__(self, base_dir: str, inst_data=None):
            self._engines: OrderedDict[str, Engine] = OrderedDict()
            super().__init__(base_dir=base_dir, inst_data=inst_data)

        @classmethod
        def config_type(cls):
            return _history_config()

        @classmethod
        def from_config_value(cls, inst_data, config_value):
            base_dir = _history_dir(config_value, "runs")
            write_run_history_without_fsync(str(Path(base_dir).parent.parent))
            return cls(base_dir=base_dir, inst_data=inst_data)

        @contextmanager
        def _connect(self, shard: str):
            with self._db_lock:
                engine = self._engine(shard)
                if shard not in self._initialized_dbs:
                    self._initdb(engine)
                    self._initialized_dbs.add(shard)
                with engine.connect() as conn, conn.begin():
                    yield conn

        def _engine(self, shard: str) -> Engine:
            engine = self._engines.pop(shard, None)
            if engine is None:
                pool = {} if shard == INDEX_SHARD_NAME else {"poolclass": NullPool}
                engine = create_engine(
                    self.conn_string_for_shard(shard), connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS}, **pool
                )
            self._engines[shard] = engine
            # a webserver reads many runs' files: keep the engines of the most recent ones
            while len(self._engines) > _KEPT_ENGINES:
                self._engines.popitem(last=False)[1].dispose()
            return engine

        def dispose(self) -> None:
            with self._db_lock:
                while self._engines:
                    self._engines.popitem()[1].dispose()
            super().dispose()

    return EventLogStorageWithoutFsync


def __getattr__(name: str):
    # Dagster imports the storages by name from dagster.yaml; defined on first use so that
    # importing this module (as `make run` does before Dagster) does not import Dagster.
    if name == "RunStorageWithoutFsync":
        return _run_storage_class()
    if name == "EventLogStorageWithoutFsync":
        return _event_log_storage_class()
    raise AttributeError(name)
