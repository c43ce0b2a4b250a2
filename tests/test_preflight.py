"""The Quick start as a new user types it, and what `make run` decides before Dagster starts.

The Quick start runs in a clean clone of this repository with `../shared/data/yearbook` beside it
(a copy, so files can be taken away from it): `make run`, then `make run
RAW_DIR=../shared/data/yearbook`, exactly as the README writes them, through make. The clone
shares this checkout's installed `.venv` (installing one takes minutes; `make`'s install rule is
what a fresh machine runs first). The refusals run against that publication and must come back
within PREFLIGHT_SECONDS with the guard's sentence, leaving the published file byte for byte as
it was; the first is `make run` in the clone, timed whole, the others the CLI's build in a
subprocess with the settings in its environment, as the Makefile runs it. What the second `make
run` printed (a line per stage, the summary) is checked against the file it published, and `make
status` against the same file.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import duckdb
import openpyxl
import pytest

from orchestration.analysis import ANALYSIS_TABLES
from orchestration.cli import AROUND_STAGES
from orchestration.core.errors import SourceFileError
from orchestration.ingest.catalogue import Catalogue
from orchestration.ingest.workbook import read_workbook
from orchestration.preflight import preflight
from orchestration.publication_guard import compare_with_publication
from orchestration.publish import PUBLISHED_TABLES
from orchestration.raw_snapshot import snapshot
from orchestration.refresh_lock import refresh_lock, staging_path
from orchestration.region_groups import read_groups
from orchestration.settings import REPO_ROOT, Settings

from .conftest import copy_publication

PREFLIGHT_SECONDS = 5.0
# every table a publication holds: the dbt marts and the tables estimated after dbt
ALL_TABLES = (*PUBLISHED_TABLES, *ANALYSIS_TABLES)
SAMPLES = REPO_ROOT / "raw"
# settings a developer's shell may hold that would change what `make run` does
USER_SETTINGS = (
    "RAW_DIR",
    "WAREHOUSE_DIR",
    "ALLOW_CHANGES",
    "FULL",
    "REGION_GROUPS_FILE",
    "REPORT_PAIRS",
    "MAX_WORKBOOK_MIB",
    "MAX_SHEET_CELLS",
    "PUBLISH_KEEP_VERSIONS",
)


@dataclass
class Ran:
    returncode: int
    out: str
    err: str
    seconds: float


def make_run(warehouse: Path, dagster_home: Path, **settings: str) -> Ran:
    """`make run [NAME=value ...]`: the CLI's build in a fresh process, settings in the environment."""
    env = {k: v for k, v in os.environ.items() if k not in USER_SETTINGS}
    env |= {
        "WAREHOUSE_DIR": str(warehouse),
        "DAGSTER_HOME": str(dagster_home),
        "PATH": f"{Path(sys.executable).parent}:{env.get('PATH', '')}",
        "DBT_USE_COLORS": "false",
        "GX_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        **settings,
    }
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "orchestration.cli", "build"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    return Ran(done.returncode, done.stdout, done.stderr, time.monotonic() - started)


# What an outer make (`make test`) or a developer's shell would pass on to the clone's make.
NOT_INHERITED = (*USER_SETTINGS, "PYTHONPATH", "DAGSTER_HOME", "MAKEFLAGS", "MAKELEVEL", "MFLAGS", "DBT_THREADS")


def clean_clone(root: Path) -> Path:
    """This repository as a fresh `git clone` gives it (committed files only), beside a copy of
    ../shared/data/yearbook, with this checkout's installed .venv."""
    clone = root / "checkout"
    if (REPO_ROOT / ".git").exists():
        head = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=REPO_ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        subprocess.run(["git", "clone", "--quiet", "--no-checkout", str(REPO_ROOT), str(clone)], check=True)
        subprocess.run(["git", "checkout", "--quiet", head], cwd=clone, check=True)
    else:  # a source tree without git history: the same files, without what a build leaves
        left_by_builds = shutil.ignore_patterns(".venv*", "warehouse", ".dagster_home", "target", "__pycache__")
        shutil.copytree(REPO_ROOT, clone, ignore=left_by_builds)
    # The installed environment, entry by entry, with the clone's own install marker: make's rule
    # compares the marker with the clone's pyproject.toml, and whatever touches the shared marker
    # later must not make the clone's make parse or install again.
    venv = clone / ".venv"
    venv.mkdir()
    for entry in (REPO_ROOT / ".venv").iterdir():
        if entry.name != ".installed":
            (venv / entry.name).symlink_to(entry.resolve())
    (venv / ".installed").touch()
    return clone


def make_in(clone: Path, *arguments: str) -> Ran:
    """`make ARGUMENTS` typed in the clone, timed whole."""
    env = {k: v for k, v in os.environ.items() if k not in NOT_INHERITED}
    started = time.monotonic()
    done = subprocess.run(["make", *arguments], cwd=clone, env=env, capture_output=True, text=True, timeout=900)
    return Ran(done.returncode, done.stdout, done.stderr, time.monotonic() - started)


def manifest_of(published_db: Path) -> dict:
    with duckdb.connect(str(published_db), read_only=True) as con:
        return json.loads(con.execute("select manifest from publication_manifest").fetchone()[0])


@dataclass
class QuickStart:
    root: Path
    real: Path  # the copy of the real extracts the current publication was built from
    warehouse: Path
    dagster_home: Path
    samples_run: Ran
    samples_manifest: dict
    real_run: Ran

    @property
    def published(self) -> Path:
        return self.warehouse / "marts.duckdb"

    def run(self, **settings: str) -> Ran:
        return make_run(self.warehouse, self.dagster_home, **settings)


@pytest.fixture(scope="module")
def quick_start(yearbook_dir, tmp_path_factory) -> QuickStart:
    """The README's Quick start in a clean clone: `make run`, then `make run
    RAW_DIR=../shared/data/yearbook`, as written."""
    root = tmp_path_factory.mktemp("quick_start")
    real = root / "shared" / "data" / "yearbook"
    shutil.copytree(yearbook_dir, real)
    clone = clean_clone(root)
    samples_run = make_in(clone, "run")
    assert samples_run.returncode == 0, samples_run.out + samples_run.err
    warehouse = clone / "warehouse"
    samples_manifest = manifest_of(warehouse / "marts.duckdb")
    real_run = make_in(clone, "run", "RAW_DIR=../shared/data/yearbook")
    return QuickStart(clone, real, warehouse, clone / ".dagster_home", samples_run, samples_manifest, real_run)


def samples_replaced_note(qs: QuickStart) -> str:
    """What `make run RAW_DIR=../shared/data/yearbook` says first when the samples were published."""
    return (
        f"The current publication was built from the project's synthetic samples ({qs.root / 'raw'}); this refresh "
        f"replaces it with the extracts in {qs.real} without comparing the two, as sample values are not "
        "statistics. (Real extracts are never replaced by the samples, or by another directory's extracts, "
        "unless the change is allowed.)"
    )


def assert_refused_before_parsing(ran: Ran, sentence: str, published: Path, before: bytes, by_make=False) -> None:
    # the CLI exits 1; make, whose recipe failed, exits 2 and says so
    assert ran.returncode == (2 if by_make else 1), ran.out + ran.err
    assert f"- {sentence}\n" in ran.err, ran.err
    assert "Dagster and dbt were not started" in ran.err
    assert ran.seconds <= PREFLIGHT_SECONDS, f"refused after {ran.seconds:.1f} s"
    assert published.read_bytes() == before


# (a) the Quick start as written


def test_quick_start_publishes_the_samples_then_the_real_extracts_without_a_flag(quick_start):
    qs = quick_start
    assert qs.samples_manifest["raw_dir"] == str(qs.root / "raw")
    assert qs.samples_manifest["raw_dir_is_samples"] is True
    # built from a clean clone: the commit is the code (edited code would say False beside it)
    assert qs.samples_manifest["git_worktree_clean"] is True and len(qs.samples_manifest["git_commit"]) == 40
    assert "built from the SAMPLE extracts" in qs.samples_run.out

    assert qs.real_run.returncode == 0, qs.real_run.err
    note = samples_replaced_note(qs)
    assert note in qs.real_run.out
    manifest = manifest_of(qs.published)
    assert manifest["raw_dir"] == str(qs.real)
    assert manifest["raw_dir_is_samples"] is False
    assert manifest["allowed_changes"] == []
    assert manifest["notes"] == [note]
    # every catalogued real file, and nothing of the samples, is what the publication holds
    with duckdb.connect(str(qs.published), read_only=True) as con:
        files = dict(con.execute("select source_file, file_sha256 from publication_source_file").fetchall())
        provinces = con.execute(
            "select count(distinct province_code) from fct_industry_indicator "
            "where indicator = 'main_business_revenue' and value is not null"
        ).fetchone()[0]
    assert files == snapshot(qs.real)
    assert provinces == 31


def test_samples_over_the_real_extracts_are_refused_in_seconds(quick_start):
    before = quick_start.published.read_bytes()
    ran = make_in(quick_start.root, "run")  # `make run` again, without RAW_DIR: the samples
    assert_refused_before_parsing(
        ran,
        f"The current publication was built from {quick_start.real}; this refresh read {quick_start.root / 'raw'}, "
        "the project's "
        "synthetic samples. Publishing it would replace the published extracts' numbers with synthetic values.",
        quick_start.published,
        before,
        by_make=True,
    )
    assert "make run ALLOW_CHANGES=1" in ran.err
    assert ran.out == ""  # make had nothing to prepare: no install, no dbt parse


# (a2) what the Quick start's `make run RAW_DIR=../shared/data/yearbook` printed and published: one
# line per stage with its seconds, dbt's output in the log it names, a summary whose numbers are
# the published file's, `make status` for the listing, the comments written at publish


STAGE_LINE = re.compile(r"^  ([a-z][a-z ]*?) +(\d+\.\d) s$")
STAGE_KEYS = {
    "ingest": "ingest",
    "raw checks": "raw_checks",
    "dbt build": "dbt_build_step",
    "mart checks": "mart_checks",
    "analysis": "analysis",
    "publish": "publish",
    "report": "report",
}


def _refreshing_line(qs: QuickStart) -> tuple[list[str], int, re.Match]:
    """The second `make run`'s lines, the index of its "Refreshing" line and that line's match;
    before it, only the note on the samples it replaces."""
    assert qs.real_run.returncode == 0, qs.real_run.err
    lines = qs.real_run.out.splitlines()
    (at,) = [i for i, line in enumerate(lines) if line.startswith("Refreshing the warehouse from ")]
    assert lines[:at] == [samples_replaced_note(qs)]
    first = re.fullmatch(r"Refreshing the warehouse from (.+); dbt's output and the run's log: (.+\.log)", lines[at])
    assert first, lines[at]
    return lines, at, first


def test_make_run_prints_one_line_per_stage_and_sends_dbt_to_its_log(quick_start):
    qs = quick_start
    lines, at, first = _refreshing_line(qs)
    assert first.group(1) == str(qs.real)
    stages = [STAGE_LINE.match(line) for line in lines[at + 1 : at + 8]]
    assert [m.group(1) for m in stages if m] == list(STAGE_KEYS)
    # the printed seconds are the run's own stage timings (its event log), as `make bench` reads them
    log = Path(first.group(2))
    assert log.parent == qs.warehouse / "logs"
    (run_dir,) = (qs.warehouse / "reports").glob(f"{log.stem.rsplit('_', 1)[1]}*")
    timings = json.loads((run_dir / "_timings.json").read_text(encoding="utf-8"))
    for match, key in zip(stages, STAGE_KEYS.values(), strict=True):
        assert float(match.group(2)) == pytest.approx(timings[f"{key}_seconds"], abs=0.051), key
    # then the total and the time around the stages, so that the stage lines and it add up as printed
    said = rf"Built and published in (\d+\.\d) s, (\d+\.\d) s of it {re.escape(AROUND_STAGES)}\."
    total = re.fullmatch(said, lines[at + 8])
    assert total, lines[at + 8]
    printed = [float(m.group(2)) for m in stages] + [float(total.group(2))]
    assert round(sum(printed), 1) == float(total.group(1)) and float(total.group(2)) > 0
    assert float(total.group(1)) == pytest.approx(timings["total_seconds"], abs=0.051)
    assert timings["dbt_build_step_seconds"] > 0 and timings["report_seconds"] > 0
    # dbt's node lines are in the log, not on the terminal
    assert "OK created" not in qs.real_run.out and "PASS" not in qs.real_run.out
    assert len(lines) - at < 20
    text = log.read_text(encoding="utf-8")
    assert "OK created sql table model marts.mart_location_quotient" in text
    assert re.search(r"Done\. PASS=\d+ WARN=\d+ ERROR=0", text)


def test_the_summary_states_what_the_published_file_holds(quick_start):
    qs = quick_start
    _refreshing_line(qs)
    out = qs.real_run.out
    assert f"Published file: {qs.published}" in out
    counts = re.search(
        r"^  (\d+) tables, ([\d,]+) rows, from (\d+) source files \(([\d,]+) cells\); publication_manifest, ", out, re.M
    )
    assert counts, out
    with duckdb.connect(str(qs.published), read_only=True) as con:
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
    # the listing of every table is `make status`'s, not the summary's
    assert "mart_specialization_bilateral_by_set" not in out


def test_make_status_lists_every_published_table_with_its_rows(quick_start):
    qs = quick_start
    _refreshing_line(qs)  # the publication is the second `make run`'s
    done = make_in(qs.root, "status")
    assert done.returncode == 0, done.err
    listed = dict(
        (m.group(1), int(m.group(2).replace(",", ""))) for m in re.finditer(r"^    (\w+) +([\d,]+)$", done.out, re.M)
    )
    with duckdb.connect(str(qs.published), read_only=True) as con:
        actual = {table: con.execute(f"select count(*) from {table}").fetchall()[0][0] for table in ALL_TABLES}
        passed, evaluated = con.execute(
            "select manifest->>'$.checks.passed', manifest->>'$.checks.evaluated' from publication_manifest"
        ).fetchall()[0]
    assert listed == actual
    assert f"checks: {passed} passed, " in done.out and f"(of {evaluated} asset checks: " in done.out
    assert "SAMPLE" not in done.out  # built from the real extracts


def test_published_comments_are_the_manifest_descriptions(quick_start):
    """Written at publish from the clone's target/manifest.json (dbt's persist_docs is off in the
    build): each mart's description on its table, each documented column's on its column; the
    wide views' generated columns name their code in both languages (the comment_wide_columns
    post-hook)."""
    qs = quick_start
    _refreshing_line(qs)  # the publication is the second `make run`'s
    manifest = json.loads((qs.root / "dbt_project" / "target" / "manifest.json").read_text(encoding="utf-8"))
    marts = {
        n["name"]: n for n in manifest["nodes"].values() if n["resource_type"] == "model" and n["fqn"][1] == "marts"
    }
    assert set(marts) == set(PUBLISHED_TABLES)
    with duckdb.connect(str(qs.published), read_only=True) as con:
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


# (b) refusals decided from the raw directory and its file list


def test_another_raw_directory_is_refused_in_seconds(quick_start, tmp_path):
    other = tmp_path / "other_copy"
    shutil.copytree(quick_start.real, other)
    before = quick_start.published.read_bytes()
    assert_refused_before_parsing(
        quick_start.run(RAW_DIR=str(other)),
        f"The current publication was built from {quick_start.real}; this refresh read {other}. Publishing it "
        "would replace every published number with ones from another collection of extracts.",
        quick_start.published,
        before,
    )


def test_a_source_file_gone_is_refused_in_seconds(quick_start, tmp_path):
    gone = quick_start.real / "wind-mbr" / "安徽.xls"
    before = quick_start.published.read_bytes()
    shutil.move(gone, tmp_path / "安徽.xls")
    try:
        ran = quick_start.run(RAW_DIR=str(quick_start.real))
    finally:
        shutil.move(tmp_path / "安徽.xls", gone)
    assert_refused_before_parsing(
        ran,
        "1 source file of the current publication is gone from the raw-data directory: wind-mbr/安徽.xls.",
        quick_start.published,
        before,
    )


def test_the_guard_in_the_run_gives_the_preflights_sentence(quick_start, tmp_path, monkeypatch):
    """One rule, three places: the guard at the publish step refuses a file gone with the
    pre-flight's sentence (raw/file_list, every publishing run's first step, applies the pre-flight
    itself: tests/test_bad_input_corpus.py). Its build database is the quick start's, with one file's
    registration removed as if that file had not been read."""
    build_db = tmp_path / "build.duckdb"
    shutil.copyfile(quick_start.warehouse / "build.duckdb", build_db)
    with duckdb.connect(str(build_db)) as con:
        con.execute("delete from raw.source_file where source_file = 'wind-mbr/安徽.xls'")
    guard = compare_with_publication(build_db, quick_start.published, quick_start.real)

    gone = quick_start.real / "wind-mbr" / "安徽.xls"
    shutil.move(gone, tmp_path / "安徽.xls")
    monkeypatch.setenv("RAW_DIR", str(quick_start.real))
    monkeypatch.setenv("WAREHOUSE_DIR", str(quick_start.warehouse))
    monkeypatch.delenv("REGION_GROUPS_FILE", raising=False)
    try:
        refusal = preflight(Settings.from_env(), allow_changes=False).refusal
    finally:
        shutil.move(tmp_path / "安徽.xls", gone)
    sentence = "1 source file of the current publication is gone from the raw-data directory: wind-mbr/安徽.xls."
    assert guard.intended_only == [sentence] and guard.always_blocking == []
    assert f"\n- {sentence}\n" in refusal


def test_an_empty_raw_directory_is_refused_in_seconds_even_when_allowed(quick_start, tmp_path):
    empty = tmp_path / "empty"
    (empty / "wind-mbr").mkdir(parents=True)
    (empty / "wind-mbr" / ".DS_Store").write_bytes(b"\0\0\0\1Bud1")
    before = quick_start.published.read_bytes()
    ran = quick_start.run(RAW_DIR=str(empty), ALLOW_CHANGES="1")
    assert_refused_before_parsing(
        ran,
        f"The raw-data directory {empty} yielded no source file with any value: an empty build is never published.",
        quick_start.published,
        before,
    )
    assert "ALLOW_CHANGES=1" not in ran.err  # no flag helps
    # nor is an empty directory ever a first publication
    fresh = tmp_path / "fresh_warehouse"
    ran = make_run(fresh, quick_start.dagster_home, RAW_DIR=str(empty))
    assert ran.returncode == 1 and ran.seconds <= PREFLIGHT_SECONDS
    assert not (fresh / "marts.duckdb").exists()


def test_allow_changes_lets_a_directory_change_past_the_preflight(quick_start, tmp_path, monkeypatch):
    other = tmp_path / "other_copy"
    shutil.copytree(quick_start.real / "wind-mbr", other / "wind-mbr")
    monkeypatch.setenv("RAW_DIR", str(other))
    monkeypatch.setenv("WAREHOUSE_DIR", str(quick_start.warehouse))
    monkeypatch.delenv("REGION_GROUPS_FILE", raising=False)
    settings = Settings.from_env()
    refused = preflight(settings, allow_changes=False).refusal
    assert f"this refresh read {other}. Publishing it" in refused
    assert "Source family io_tables became empty: the current publication holds" in refused
    assert preflight(settings, allow_changes=True).refusal is None


@pytest.fixture(scope="module")
def samples_with_groups(sample_publication_with_groups, tmp_path_factory) -> QuickStart:
    """The samples published with the example REGION_GROUPS_FILE, in a warehouse of their own: a copy
    of the session's publication (tests/conftest.py), which is the same publication `make run
    REGION_GROUPS_FILE=examples/region_groups.yml` makes."""
    root = tmp_path_factory.mktemp("with_groups")
    dagster_home = root / "dagster_home"
    dagster_home.mkdir()
    shutil.copy(REPO_ROOT / "orchestration" / "dagster_instance.yaml", dagster_home / "dagster.yaml")
    copy_publication(sample_publication_with_groups, root / "warehouse")
    assert sample_publication_with_groups.raw_dir == SAMPLES.resolve()
    return QuickStart(root, SAMPLES, root / "warehouse", dagster_home, None, {}, None)


def test_a_region_groups_file_removed_is_refused_in_seconds(samples_with_groups):
    qs = samples_with_groups
    with duckdb.connect(str(qs.published), read_only=True) as con:
        codes = {r[0] for r in con.execute("select group_code from dim_region_group").fetchall()}
    assert {"national_ex_tibet", "shanghai_jiangsu", "zhejiang_anhui"} <= codes
    before = qs.published.read_bytes()
    assert_refused_before_parsing(
        qs.run(),  # the same samples, REGION_GROUPS_FILE no longer set
        "The current publication was built with the region groups file region_groups.yml (34 group members); "
        "this refresh reads no REGION_GROUPS_FILE, so those groups would disappear from every universe metric.",
        qs.published,
        before,
    )


# (c) leftovers of a killed refresh


def test_a_staging_file_a_killed_refresh_left_is_removed_under_the_lock(quick_start):
    qs = quick_start
    leftover = staging_path(qs.published)
    shutil.copyfile(qs.published, leftover)  # what kill -9 during publishing leaves: a full copy
    size = leftover.stat().st_size / 2**20
    before = qs.published.read_bytes()
    ran = qs.run(RAW_DIR=str(qs.real))
    assert ran.returncode == 0, ran.err
    assert (
        f"Removed 1 staging file a killed refresh left in {qs.warehouse}: {leftover.name} ({size:,.1f} MiB).\n"
        in ran.out
    )
    assert "Nothing changed since the publication" in ran.out
    assert not list(qs.warehouse.glob(".publishing_*"))
    assert qs.published.read_bytes() == before


def test_the_refresh_lock_removes_leftover_staging_files_for_every_launch_path(tmp_path):
    published = tmp_path / "marts.duckdb"
    leftover = staging_path(published)
    leftover.write_bytes(b"x" * 2**20)
    wal = leftover.with_name(leftover.name + ".wal")
    wal.write_bytes(b"")
    with refresh_lock(tmp_path, run_id="r", raw_dir=tmp_path, launched_by="test") as removed:
        assert removed == [f"{leftover.name} (1.0 MiB)", f"{wal.name} (0.0 MiB)"]
    assert not leftover.exists() and not wal.exists()


# (d) office lock files and OS metadata


ARTEFACTS = ["wind-mbr/~$北京.xlsx", "wind-mbr/.DS_Store", ".DS_Store", "hightech/Thumbs.db", "desktop.ini"]


def test_office_lock_files_and_os_metadata_are_skipped_and_listed(quick_start):
    qs = quick_start
    files_before = snapshot(qs.real)
    for relative in ARTEFACTS:
        (qs.real / relative).write_bytes(b"\x00owner: analyst\x00")
    try:
        listing = Catalogue.load().scan(qs.real)
        assert listing.skipped == tuple(sorted(ARTEFACTS))
        assert snapshot(qs.real) == files_before
        ran = qs.run(RAW_DIR=str(qs.real))
    finally:
        for relative in ARTEFACTS:
            (qs.real / relative).unlink()
    assert ran.returncode == 0, ran.err
    assert (
        "Skipped 5 files that no extract is (office lock files, hidden and folder-metadata files): "
        + ", ".join(sorted(ARTEFACTS))
        + ".\n"
    ) in ran.out
    assert "Nothing changed since the publication" in ran.out


# (e) size bounds say the bound and how to raise it


def _plain_workbook(rows: int) -> bytes:
    book = openpyxl.Workbook()
    for r in range(rows):
        book.active.append([f"2{r:07d}", *((r * 7919 + c * 104729) % 999983 / 7 for c in range(12))])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_plain_workbook_over_the_size_bound_is_not_called_a_zip_bomb(tmp_path, monkeypatch):
    data = _plain_workbook(8000)
    path = tmp_path / "big.xlsx"
    path.write_bytes(data)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = sum(i.file_size for i in archive.infolist())
    assert 1 < parts / 2**20 < 10 and parts / len(data) < 20
    monkeypatch.setenv("MAX_WORKBOOK_MIB", "1")
    with pytest.raises(SourceFileError) as refused:
        read_workbook(path, "wind-mbr/big.xlsx")
    assert str(refused.value) == (
        f"file wind-mbr/big.xlsx: would decompress to {parts / 2**20:,.0f} MiB from {len(data) / 2**20:,.1f} MiB, "
        "more than the bound of 1 MiB of workbook parts; expected at most 1 MiB; if the file is a genuine "
        "export, raise the bound with MAX_WORKBOOK_MIB (make run MAX_WORKBOOK_MIB=10)"
    )
    monkeypatch.setenv("MAX_WORKBOOK_MIB", "10")
    assert len(read_workbook(path, "wind-mbr/big.xlsx").sheets[0].rows) == 8000


def test_a_zip_bomb_is_still_called_one(tmp_path, monkeypatch):
    path = tmp_path / "bomb.xlsx"
    source = zipfile.ZipFile(io.BytesIO(_plain_workbook(10)))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                data = data.replace(b"</sheetData>", b"<row/>" * (3 * 2**20 // 6) + b"</sheetData>")
            out.writestr(item, data)
    monkeypatch.setenv("MAX_WORKBOOK_MIB", "2")
    with pytest.raises(SourceFileError, match=r"more than the bound of 2 MiB of workbook parts \(a zip bomb: "):
        read_workbook(path, "bomb.xlsx")


def test_a_sheet_over_the_cell_bound_says_the_bound_and_how_to_raise_it(tmp_path, monkeypatch):
    path = tmp_path / "wide.xlsx"
    path.write_bytes(_plain_workbook(20))
    monkeypatch.setenv("MAX_SHEET_CELLS", "100")
    with pytest.raises(SourceFileError) as refused:
        read_workbook(path, "wind-mbr/wide.xlsx")
    assert str(refused.value) == (
        "file wind-mbr/wide.xlsx, sheet 'Sheet', row 8: has a sheet of at least 8 x 13 cells, more than the bound "
        "of 100 cells per sheet; expected at most 100 cells; if the file is a genuine export, raise the bound "
        "with MAX_SHEET_CELLS (make run MAX_SHEET_CELLS=...)"
    )


def test_a_bound_that_is_not_a_number_is_refused_before_anything_runs(tmp_path):
    ran = make_run(tmp_path / "warehouse", tmp_path, RAW_DIR=str(SAMPLES), MAX_WORKBOOK_MIB="lots")
    assert ran.returncode == 2
    assert ran.err.startswith(
        "The warehouse was NOT refreshed: MAX_WORKBOOK_MIB='lots' is not a whole number of at least 1: it bounds "
        "the size of a workbook before it is parsed (default 50)."
    )


# (f) a region group of one province


def test_a_region_group_of_one_province_is_refused_naming_file_and_line(tmp_path):
    groups = tmp_path / "groups.yml"
    groups.write_text(
        "groups:\n  - code: pair\n    members: [上海, 江苏]\n  - code: solo\n    members: [浙江]\n", encoding="utf-8"
    )
    sentence = (
        f"file {groups}, row 4: group 'solo' has one province (330000), and as the universe of the metric marts "
        "it would make every location quotient 1; expected at least two provinces"
    )
    with pytest.raises(SourceFileError) as refused:
        read_groups(groups)
    assert str(refused.value) == sentence
    ran = make_run(tmp_path / "warehouse", tmp_path, RAW_DIR=str(SAMPLES), REGION_GROUPS_FILE=str(groups))
    assert ran.returncode == 2 and ran.seconds <= PREFLIGHT_SECONDS
    assert ran.err.strip() == f"The warehouse was NOT refreshed: REGION_GROUPS_FILE: {sentence}"
    assert not (tmp_path / "warehouse").exists()


def test_nothing_changed_is_answered_without_importing_dagster(quick_start):
    """`make run` with nothing to do stops before Dagster starts: importing Dagster alone costs
    about half a second, more than the check itself."""
    qs = quick_start
    assert qs.run(RAW_DIR=str(qs.real)).returncode == 0  # publishes the real extracts if no test before did
    ran = qs.run(RAW_DIR=str(qs.real), PYTHONPROFILEIMPORTTIME="1")
    assert ran.returncode == 0, ran.err[-2000:]
    assert "Nothing changed since the publication" in ran.out
    imported = {line.rsplit("|", 1)[-1].strip() for line in ran.err.splitlines() if line.startswith("import time:")}
    assert "orchestration.publication_guard" in imported and "duckdb" in imported  # the check ran
    assert not {name for name in imported if name.split(".")[0] in ("dagster", "dagster_dbt", "dbt")}


def test_the_manifest_says_whether_the_code_was_edited_since_its_commit(tmp_path, monkeypatch):
    """git_worktree_clean: True for a checkout as committed, False once a tracked file is edited
    (an untracked file changes nothing), None outside git."""
    from orchestration import publish

    repo = tmp_path / "repo"
    repo.mkdir()
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run([*git, "init", "--quiet"], cwd=repo, check=True)
    (repo / "model.sql").write_text("select 1\n")
    subprocess.run([*git, "add", "model.sql"], cwd=repo, check=True)
    subprocess.run([*git, "commit", "--quiet", "-m", "one"], cwd=repo, check=True)
    monkeypatch.setattr(publish, "REPO_ROOT", repo)
    (repo / "notes.txt").write_text("untracked\n")
    assert publish._git_worktree_clean() is True
    (repo / "model.sql").write_text("select 2\n")
    assert publish._git_worktree_clean() is False
    monkeypatch.setattr(publish, "REPO_ROOT", tmp_path / "elsewhere")
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    assert publish._git_worktree_clean() is None
