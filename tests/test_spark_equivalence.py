"""The same dbt models on Spark give the same marts as on DuckDB (docs/operations.md "Running on Spark").

The tests marked `spark` run under `make test-spark` (CI runs it after the main suite): they build
the sample panel through the refresh job on DuckDB, then the same dbt project on Spark in local
mode from those inputs (spark/run_dbt_spark.py, in .venv-spark), and compare every mart row by
row. The comparison itself is tested here too: without Spark on synthetic tables, and with Spark
on a deliberately unported construct, which it must catch.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from orchestration.engine_comparison import compare_builds, compare_tables, values_agree
from orchestration.settings import DBT_PROJECT_DIR, REPO_ROOT

from .conftest import run_refresh

SPARK_PYTHON = REPO_ROOT / ".venv-spark" / "bin" / "python"
RUNNER = REPO_ROOT / "spark" / "run_dbt_spark.py"


def mart_names() -> list[str]:
    """Every model of the marts layer, from the manifest `make setup` prepared."""
    manifest_path = DBT_PROJECT_DIR / "target" / "manifest.json"
    if not manifest_path.exists():
        return []
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    return sorted(
        node["name"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["schema"] == "marts"
    )


def run_spark(duckdb_file: Path, out: Path, *args: str) -> tuple[int, str]:
    """spark/run_dbt_spark.py in the Spark environment; its exit code and output."""
    if not SPARK_PYTHON.exists():
        pytest.fail(f"{SPARK_PYTHON} is missing: run `make test-spark`, which creates it")
    completed = subprocess.run(
        [str(SPARK_PYTHON), str(RUNNER), "--duckdb", str(duckdb_file), "--out", str(out), *args],
        capture_output=True,
        text=True,
        env={**os.environ, "DBT_USE_COLORS": "false"},
        check=False,
    )
    output = completed.stdout + completed.stderr
    out.mkdir(parents=True, exist_ok=True)  # a runner that failed early made none
    (out / "run.log").write_text(output, encoding="utf-8")
    return completed.returncode, output


@pytest.fixture(scope="module")
def duckdb_build(tmp_path_factory) -> Path:
    """The sample panel built and published the way users do it (the refresh job)."""
    warehouse = tmp_path_factory.mktemp("duckdb_warehouse")
    result, _ = run_refresh(REPO_ROOT / "raw", warehouse)
    assert result.success
    return warehouse / "build.duckdb"


@pytest.fixture(scope="module")
def spark_build(duckdb_build, tmp_path_factory) -> Path:
    """The same dbt project built on Spark from the DuckDB build's inputs, ANSI mode on."""
    out = tmp_path_factory.mktemp("spark")
    returncode, output = run_spark(duckdb_build, out)
    assert returncode == 0, f"dbt build on Spark failed:\n{output[-6000:]}"
    assert "ERROR=0" in output
    return out / "warehouse"


# -- the comparison, without Spark ------------------------------------------------------------


def test_values_agree_within_tolerance_nulls_and_list_order():
    assert values_agree(1.0, 1.0 + 1e-12)
    assert not values_agree(1.0, 1.0 + 1e-8)
    assert values_agree(0.0, -7.3e-12)  # rounding noise around zero
    assert not values_agree(0.0, 1e-6)
    assert values_agree(None, None)
    assert not values_agree(None, 0.0)
    assert not values_agree("", None)
    assert values_agree(["110000", "120000"], ["110000", "120000"])
    assert not values_agree(["110000", "120000"], ["120000", "110000"])
    assert not values_agree(["110000"], ["110000", "120000"])
    assert values_agree(3, 3.0)
    assert not values_agree(True, False)
    assert not values_agree(3, 4)


def test_compare_tables_reports_each_kind_of_difference():
    connection = duckdb.connect()
    connection.execute("""
        create table expected as select * from (values
            ('310000', 2014, 1.5::double, ['a', 'b'], 'x'),
            ('320000', 2014, 2.5::double, ['c'], null)
        ) as t(province_code, year, lq, cells, note)
    """)
    connection.execute("create table same as select * from expected order by province_code desc")
    assert compare_tables(connection, "same", "expected", "same").agrees

    connection.execute("""
        create table changed as select * from (values
            ('310000', 2014, 1.5000001::double, ['b', 'a'], 'x'),
            ('320000', 2014, 2.5::double, ['c'], '')
        ) as t(province_code, year, lq, cells, note)
    """)
    result = compare_tables(connection, "changed", "expected", "changed")
    report = result.report()
    assert not result.agrees
    assert "lq: expected 1.5, got 1.5000001" in report
    assert "cells: expected ['a', 'b'], got ['b', 'a']" in report
    assert "note: expected None, got ''" in report

    connection.execute("create table fewer as select * exclude (note) from expected where year = 0")
    report = compare_tables(connection, "fewer", "expected", "fewer").report()
    assert "columns missing: note" in report
    assert "0 rows, expected 2" in report


# -- DuckDB against Spark ---------------------------------------------------------------------


@pytest.mark.spark
def test_spark_builds_every_mart(duckdb_build, spark_build):
    """The marts compared one by one below are all the DuckDB build has, and Spark wrote each."""
    with duckdb.connect(str(duckdb_build), read_only=True) as connection:
        in_duckdb = {
            name
            for (name,) in connection.execute(
                "select table_name from duckdb_tables() where schema_name = 'marts'"
                " union select view_name from duckdb_views() where schema_name = 'marts'"
            ).fetchall()
        }
    assert set(mart_names()) == in_duckdb
    assert len(in_duckdb) > 40
    built = {path.name for path in (spark_build / "marts.db").iterdir() if any(path.glob("*.parquet"))}
    assert in_duckdb - built == set()


@pytest.mark.spark
@pytest.mark.parametrize("mart", mart_names())
def test_mart_is_the_same_on_spark(mart, duckdb_build, spark_build):
    [result] = compare_builds(duckdb_build, spark_build, [mart])
    assert result.agrees, result.report()
    print(result.report())


@pytest.mark.spark
def test_the_spark_marts_copy_into_one_duckdb_file(duckdb_build, spark_build, tmp_path):
    out = tmp_path / "marts_from_spark.duckdb"
    completed = subprocess.run(
        [
            sys.executable,
            str(REPO_ROOT / "spark" / "marts_to_duckdb.py"),
            "--warehouse",
            str(spark_build),
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert f"{len(mart_names())} marts" in completed.stdout
    query = "select count(*), sum(value) from {} where indicator = 'main_business_revenue'"
    with duckdb.connect(str(out), read_only=True) as copied, duckdb.connect(str(duckdb_build), read_only=True) as built:
        [(n_copied, total_copied)] = copied.execute(query.format("fct_industry_indicator")).fetchall()
        [(n_built, total_built)] = built.execute(query.format("marts.fct_industry_indicator")).fetchall()
    assert n_copied == n_built > 0
    assert total_copied == pytest.approx(total_built, rel=1e-9)


@pytest.mark.spark
def test_an_unported_construct_fails_the_comparison(duckdb_build, tmp_path):
    """DuckDB's call regexp_replace(x, p, r, 'g') on Spark: as dbt-spark runs it (ANSI off) it
    builds, and every label normalises to null, so no province or industry matches; the
    comparison must say so. With ANSI on (make test-spark) it is an error."""
    project = tmp_path / "dbt_project"
    shutil.copytree(DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs", "dbt_packages"))
    regex = project / "macros" / "portable" / "regex.sql"
    text = regex.read_text(encoding="utf-8")
    portable = (
        "{% macro spark__regexp_replace_all(expression, pattern, replacement) -%}\n"
        "    regexp_replace({{ expression }}, {{ regex_literal(pattern) }}, {{ replacement }})\n"
    )
    assert portable in text
    unported = portable.replace("{{ replacement }})", "{{ replacement }}, 'g')")
    regex.write_text(text.replace(portable, unported), encoding="utf-8")

    lenient = tmp_path / "lenient"
    returncode, output = run_spark(
        duckdb_build,
        lenient,
        "--project-dir",
        str(project),
        "--no-ansi",
        "--command",
        "run",
        "--select",
        "+fct_industry_indicator",
    )
    assert returncode == 0, output[-4000:]
    [result] = compare_builds(duckdb_build, lenient / "warehouse", ["fct_industry_indicator"])
    assert not result.agrees
    assert "0 rows, expected" in result.report()

    strict = tmp_path / "strict"
    returncode, output = run_spark(
        duckdb_build, strict, "--project-dir", str(project), "--command", "run", "--select", "+int_industry_label"
    )
    assert returncode != 0
    assert "CAST_INVALID_INPUT" in output and "'g'" in output
