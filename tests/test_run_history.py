"""The run history in DAGSTER_HOME: written without fsync (other SQLite files keep SQLite's default), its
event log's engines kept without hiding a running run's events from the webserver's watcher."""

from __future__ import annotations

import shutil
import time

import dagster as dg
from dagster import AssetCheckKey, AssetKey
from sqlalchemy import create_engine, text

from orchestration.run_history import write_run_history_without_fsync

from .webserver_client import INSTANCE_YAML


def synchronous(path) -> int:
    engine = create_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as con:
            return con.execute(text("pragma synchronous")).scalar()
    finally:
        engine.dispose()


def test_only_files_under_dagster_home_are_written_without_fsync(tmp_path):
    home, elsewhere = tmp_path / "dagster_home", tmp_path / "elsewhere"
    (home / "history").mkdir(parents=True)
    elsewhere.mkdir()
    default = synchronous(elsewhere / "before.db")
    assert default == 2  # FULL: SQLite's default, what Dagster gets without this module
    write_run_history_without_fsync(str(home))
    write_run_history_without_fsync(str(home))  # a second call adds no second listener
    assert synchronous(home / "history" / "runs.db") == 0  # OFF
    assert synchronous(elsewhere / "other.db") == default
    # a directory whose name merely starts like DAGSTER_HOME's is not inside it
    (tmp_path / "dagster_home_copy").mkdir()
    assert synchronous(tmp_path / "dagster_home_copy" / "x.db") == default


def _instance(home):
    """A Dagster instance configured as `make` configures DAGSTER_HOME."""
    from dagster import DagsterInstance

    home.mkdir(exist_ok=True)
    shutil.copy(INSTANCE_YAML, home / "dagster.yaml")
    return DagsterInstance.from_config(str(home))


@dg.asset
def numbers() -> int:
    return 3


@dg.asset_check(asset=numbers)
def numbers_positive(numbers: int) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=numbers > 0)


def _events_of_a_small_run(instance):
    result = dg.materialize([numbers, numbers_positive], instance=instance)
    assert result.success
    return result.run_id, instance.all_logs(result.run_id)


def test_the_kept_engines_write_what_dagsters_own_storage_reads(tmp_path, monkeypatch):
    from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage

    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "home"))
    instance = _instance(tmp_path / "home")
    assert type(instance.event_log_storage).__name__ == "EventLogStorageWithoutFsync"
    run_id, events = _events_of_a_small_run(instance)
    stock = SqliteEventLogStorage(str(tmp_path / "home" / "history" / "runs"))
    assert [e.dagster_event_type for e in stock.get_logs_for_run(run_id)] == [e.dagster_event_type for e in events]
    assert stock.get_latest_materialization_events([AssetKey("numbers")])[AssetKey("numbers")].run_id == run_id
    checks = stock.get_asset_check_execution_history(AssetCheckKey(AssetKey("numbers"), "numbers_positive"), limit=5)
    assert [c.run_id for c in checks] == [run_id]


def test_a_watcher_sees_each_event_of_a_running_run_as_it_is_written(tmp_path, monkeypatch):
    """The webserver shows a running run's events when `<run_id>.db` changes; the kept engines
    must not leave new events in SQLite's write-ahead log only."""
    from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage

    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "home"))
    instance = _instance(tmp_path / "home")
    _, events = _events_of_a_small_run(instance)
    writer = instance.event_log_storage
    watcher = SqliteEventLogStorage(str(tmp_path / "home" / "history" / "runs"))
    run_id = "0" * 8 + "-0000-0000-0000-" + "0" * 12
    writer.store_event(events[0]._replace(run_id=run_id))  # the run's file exists before the watch
    seen = []
    watcher.watch(run_id, None, lambda entry, _cursor: seen.append(entry.dagster_event_type))
    try:
        for count, event in enumerate(events[1:], start=2):
            writer.store_event(event._replace(run_id=run_id))
            deadline = time.monotonic() + 5
            while len(seen) < count - 1 and time.monotonic() < deadline:
                time.sleep(0.02)
            assert len(seen) >= count - 1, f"event {count} not seen by the watcher"
    finally:
        watcher.end_watch(run_id, next(iter(watcher._watchers[run_id]), None))
        watcher.dispose()


def test_a_storage_keeps_a_bounded_number_of_engines(tmp_path, monkeypatch):
    from orchestration.run_history import _KEPT_ENGINES

    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "home"))
    instance = _instance(tmp_path / "home")
    _, events = _events_of_a_small_run(instance)
    storage = instance.event_log_storage
    for n in range(_KEPT_ENGINES + 8):
        storage.store_event(events[0]._replace(run_id=f"{n:08d}-0000-0000-0000-000000000000"))
    assert len(storage._engines) == _KEPT_ENGINES
    assert len(storage.get_logs_for_run(f"{0:08d}-0000-0000-0000-000000000000")) == 1
    storage.dispose()
    assert not storage._engines
