"""What `make run` prints and what it publishes, on the samples, as a user runs it: one line per
stage with its seconds, dbt's output in the log file it names, a short summary whose numbers are
those of the published file, `make status` for the listing; and the published file's comments,
written at publish from dbt's manifest."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from orchestration.analysis import ANALYSIS_TABLES
from orchestration.publish import PUBLISHED_TABLES
from orchestration.settings import DBT_PROJECT_DIR, REPO_ROOT

# every table a publication holds: the dbt marts and the tables estimated after dbt
ALL_TABLES = (*PUBLISHED_TABLES, *ANALYSIS_TABLES)

STAGE_LINE = re.compile(r"^  ([a-z][a-z ]*?) +(\d+\.\d) s$")


@pytest.fixture(scope="module")
def make_run(tmp_path_factory):
    """`python -m orchestration.cli build` (the command `make run` runs) on a copy of the samples, in
    its own warehouse and Dagster home; its stdout, the published file and the directories."""
    root = tmp_path_factory.mktemp("make_run")
    shutil.copytree(REPO_ROOT / "raw", root / "raw")
    (root / "dagster_home").mkdir()
    shutil.copy(REPO_ROOT / "orchestration" / "dagster_instance.yaml", root / "dagster_home" / "dagster.yaml")
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("FULL", "ALLOW_CHANGES")},
        "RAW_DIR": str(root / "raw"),
        "WAREHOUSE_DIR": str(root / "warehouse"),
        "DAGSTER_HOME": str(root / "dagster_home"),
    }
    done = subprocess.run(
        [sys.executable, "-m", "orchestration.cli", "build"], cwd=REPO_ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout, root / "warehouse", env


def test_make_run_prints_one_line_per_stage_and_sends_dbt_to_its_log(make_run):
    out, warehouse, _ = make_run
    lines = out.splitlines()
    first = re.fullmatch(r"Refreshing the warehouse from (.+); dbt's output and the run's log: (.+\.log)", lines[0])
    assert first, lines[0]
    stages = [STAGE_LINE.match(line) for line in lines[1:8]]
    assert [m.group(1) for m in stages if m] == [
        "ingest",
        "raw checks",
        "dbt build",
        "mart checks",
        "analysis",
        "publish",
        "report",
    ]
    # the printed seconds are the run's own stage timings (its event log), as `make bench` reads them
    runs = list((warehouse / "reports").glob("*/_timings.json"))
    assert len(runs) == 1
    timings = json.loads(runs[0].read_text(encoding="utf-8"))
    keys = ("ingest", "raw_checks", "dbt_build_step", "mart_checks", "analysis", "publish", "report")
    for match, key in zip(stages, keys, strict=True):
        assert float(match.group(2)) == pytest.approx(timings[f"{key}_seconds"], abs=0.051), key
    assert timings["dbt_build_step_seconds"] > 0 and timings["report_seconds"] > 0
    # dbt's 285 node lines are in the log, not on the terminal
    assert "OK created" not in out and "PASS" not in out
    assert len(lines) < 20
    log = first.group(2)
    assert log.startswith(str(warehouse / "logs"))
    text = Path(log).read_text(encoding="utf-8")
    assert "OK created sql table model marts.mart_location_quotient" in text
    assert re.search(r"Done\. PASS=\d+ WARN=\d+ ERROR=0", text)


def test_the_summary_states_what_the_published_file_holds(make_run):
    out, warehouse, _ = make_run
    assert f"Published file: {warehouse / 'marts.duckdb'}" in out
    counts = re.search(
        r"^  (\d+) tables, ([\d,]+) rows, from (\d+) source files \(([\d,]+) cells\); publication_manifest, ", out, re.M
    )
    assert counts, out
    with duckdb.connect(str(warehouse / "marts.duckdb"), read_only=True) as con:
        rows = sum(con.execute(f"select count(*) from {table}").fetchall()[0][0] for table in ALL_TABLES)
        files, cells = con.execute(
            "select count(distinct source_file), sum(n_values) from publication_source_file"
        ).fetchall()[0]
        withheld = con.execute("select count(*) from fct_quarantine").fetchall()[0][0]
    assert int(counts.group(1)) == len(ALL_TABLES)
    assert int(counts.group(2).replace(",", "")) == rows
    assert (int(counts.group(3)), int(counts.group(4).replace(",", ""))) == (files, cells)
    assert ("Withheld by the quality policy" in out) == (withheld > 0)
    report = re.search(r"^Validation report: (.+)$", out, re.M)
    assert report and os.path.exists(report.group(1))
    assert "make status" in out
    # the listing of every table is not in the summary any more
    assert "mart_specialization_bilateral_by_set" not in out


def test_make_status_lists_every_published_table_with_its_rows(make_run):
    _, warehouse, env = make_run
    done = subprocess.run(
        [sys.executable, "-m", "orchestration.cli", "status"], cwd=REPO_ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    listed = dict(
        (m.group(1), int(m.group(2).replace(",", ""))) for m in re.finditer(r"^    (\w+) +([\d,]+)$", done.stdout, re.M)
    )
    with duckdb.connect(str(warehouse / "marts.duckdb"), read_only=True) as con:
        actual = {table: con.execute(f"select count(*) from {table}").fetchall()[0][0] for table in ALL_TABLES}
        passed, evaluated = con.execute(
            "select manifest->>'$.checks.passed', manifest->>'$.checks.evaluated' from publication_manifest"
        ).fetchall()[0]
    assert listed == actual
    assert f"checks: {passed} passed, " in done.stdout and f"(of {evaluated} asset checks: " in done.stdout
    assert "SAMPLE" not in done.stdout  # a copy elsewhere is not the checkout's raw/


def test_published_comments_are_the_manifest_descriptions(make_run):
    """Written at publish from target/manifest.json (dbt's persist_docs is off in the build): each
    mart's description on its table, each documented column's on its column; the wide views'
    generated columns name their code in both languages (the comment_wide_columns post-hook)."""
    _, warehouse, _ = make_run
    manifest = json.loads((DBT_PROJECT_DIR / "target" / "manifest.json").read_text(encoding="utf-8"))
    marts = {
        n["name"]: n for n in manifest["nodes"].values() if n["resource_type"] == "model" and n["fqn"][1] == "marts"
    }
    assert set(marts) == set(PUBLISHED_TABLES)
    with duckdb.connect(str(warehouse / "marts.duckdb"), read_only=True) as con:
        tables = dict(con.execute("select table_name, comment from duckdb_tables() where not internal").fetchall())
        columns = con.execute(
            "select table_name, column_name, comment from duckdb_columns() where not internal"
        ).fetchall()
        industries = dict(
            (code, f"{zh} ({en})")
            for code, zh, en in con.execute("select industry_code, name_zh, name_en from dim_industry").fetchall()
        )
    assert {name: tables[name] for name in marts} == {name: node["description"] for name, node in marts.items()}
    undocumented = []
    for table, column, comment in columns:
        if table not in marts:
            continue
        documented = marts[table]["columns"].get(column)
        if documented is not None:
            assert comment == documented["description"], (table, column)
        elif table == "mart_lq_matrix":
            code = column.removeprefix("lq_")
            assert comment == f"Location quotient LQ[i,k] of division {code} {industries[code]}", column
        else:
            undocumented.append((table, column, comment))
    assert all(comment for _, _, comment in undocumented), undocumented
    assert {t for t, _, _ in undocumented} <= {"mart_bilateral_matrix"}


def test_make_status_says_a_publication_from_the_samples_is_synthetic(sample_publication):
    env = {
        **os.environ,
        "RAW_DIR": str(sample_publication.raw_dir),
        "WAREHOUSE_DIR": str(sample_publication.warehouse_dir),
    }
    done = subprocess.run(
        [sys.executable, "-m", "orchestration.cli", "status"], cwd=REPO_ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    # the line after the one naming the raw directory
    assert done.stdout.splitlines()[2] == (
        "  built from the SAMPLE extracts in raw/ (synthetic values, not official statistics)"
    )
