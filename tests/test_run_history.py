"""The run history in DAGSTER_HOME is written without fsync; other SQLite files keep SQLite's default."""

from __future__ import annotations

from sqlalchemy import create_engine, text

from orchestration.run_history import write_run_history_without_fsync


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
