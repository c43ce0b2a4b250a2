"""The build database as the run's steps open it (WarehouseResource.connect_build): within a run it
stays open between steps, and release_build hands it to another process (dbt) or another kind of
connection; outside a run every call opens and closes the file as before."""

from __future__ import annotations

import subprocess
import sys

import pytest

from orchestration.resources import WarehouseResource

# dbt's process opens the build database to write, as the dbt step does after release_build
WRITE_FROM_ANOTHER_PROCESS = (
    "import duckdb, sys\n"
    "with duckdb.connect(sys.argv[1]) as con:\n"
    "    con.execute('create or replace table main.from_dbt as select 42 as answer')\n"
)


def _write_from_another_process(path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", WRITE_FROM_ANOTHER_PROCESS, str(path)], capture_output=True, text=True, timeout=60
    )


@pytest.fixture
def in_run(tmp_path):
    warehouse = WarehouseResource(raw_dir=str(tmp_path / "raw"), warehouse_dir=str(tmp_path / "warehouse"))
    warehouse._in_run = True  # what yield_for_execution sets while the run's steps execute
    yield warehouse
    warehouse._in_run = False
    warehouse.release_build()


def test_within_a_run_the_file_stays_open_and_a_writer_serves_readers(in_run):
    with in_run.connect_build() as con:  # an ingest step
        con.execute("create table main.cells as select 1 as value")
    held = in_run._held
    with in_run.connect_build(read_only=True) as con:  # a check reads what the ingest wrote
        assert con.execute("select value from main.cells").fetchall() == [(1,)]
    assert in_run._held is held  # not opened again
    with in_run.connect_build() as con:
        con.execute("insert into main.cells values (2)")
    assert in_run._held is held


def test_a_reader_held_is_reopened_for_a_writer(in_run):
    with in_run.connect_build() as con:
        con.execute("create table main.cells as select 1 as value")
    in_run.release_build()
    with in_run.connect_build(read_only=True) as con:
        assert con.execute("select count(*) from main.cells").fetchone() == (1,)
        with pytest.raises(Exception, match="read-only"):
            con.execute("insert into main.cells values (2)")  # read-only as asked
    with in_run.connect_build() as con:  # the analysis step writes after the mart checks read
        con.execute("insert into main.cells values (2)")
    assert not in_run._held_read_only


def test_released_the_file_is_another_processs_to_write(in_run):
    with in_run.connect_build() as con:
        con.execute("create table main.cells as select 1 as value")
    blocked = _write_from_another_process(in_run.settings.build_db)
    assert blocked.returncode != 0 and "lock" in blocked.stderr.lower()  # held: dbt could not write
    in_run.release_build()
    written = _write_from_another_process(in_run.settings.build_db)
    assert written.returncode == 0, written.stderr
    with in_run.connect_build(read_only=True) as con:
        assert con.execute("select answer from main.from_dbt").fetchone() == (42,)
        assert con.execute("select value from main.cells").fetchone() == (1,)  # ingest's rows kept


def test_outside_a_run_each_connection_is_the_callers_alone(tmp_path):
    warehouse = WarehouseResource(raw_dir=str(tmp_path / "raw"), warehouse_dir=str(tmp_path / "warehouse"))
    with warehouse.connect_build() as con:
        con.execute("create table main.cells as select 1 as value")
    assert warehouse._held is None
    assert _write_from_another_process(warehouse.settings.build_db).returncode == 0
