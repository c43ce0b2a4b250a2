"""Shared fixtures: where the real extracts are, and running the real dbt SQL on fixture inputs."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from orchestration import dbt_forkserver_control
from orchestration.checks import gx_worker
from orchestration.dbt_compile import compile_models, compiled_sql
from orchestration.settings import DBT_PROJECT_DIR, REPO_ROOT

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
# `make test` runs two workers on two cores, each running dbt builds: there a second dbt thread only
# waits for the interpreter lock and costs CPU the other worker needs (1.5-3 s a build on the
# samples). Results do not depend on it (each query runs on one DuckDB thread). The Quick start's
# `make run` keeps the users' two threads (tests/test_preflight.py, NOT_INHERITED).
if int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1")) > 1:
    os.environ.setdefault("DBT_THREADS", "1")

SHARED_YEARBOOK = (REPO_ROOT.parent / "shared" / "data" / "yearbook").resolve()
WIND_DIR = SHARED_YEARBOOK / "wind-mbr"


@pytest.fixture(scope="session")
def yearbook_dir() -> Path:
    """The real extracts. Locally a missing ../shared skips; under CI=true it fails."""
    if not WIND_DIR.is_dir():
        message = f"real yearbook extracts not found at {SHARED_YEARBOOK}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message + " (CI=true: ../shared must be beside the checkout)")
        pytest.skip(message)
    return SHARED_YEARBOOK


@pytest.fixture(scope="session")
def compiled_models(tmp_path_factory) -> dict[str, str]:
    """Compiled SQL of every dbt model, exactly as `dbt build` runs it; compiled once per session."""

    def compile_into(root: Path) -> None:
        completed = compile_models(root / "target", root / "scratch_warehouse")
        assert completed.returncode == 0, completed.stdout[-2000:] + completed.stderr[-2000:]

    return compiled_sql(shared_directory(tmp_path_factory, "compiled_models", compile_into) / "target")


class ModelRunner:
    """Runs compiled dbt models in a scratch DuckDB named like the build database, so their
    fully qualified references ("build"."intermediate"."x") resolve to fixture tables."""

    def __init__(self, directory: Path, compiled: dict[str, str]):
        self.con = duckdb.connect(str(directory / "build.duckdb"))
        self.compiled = compiled
        for schema in ("raw", "reference", "staging", "intermediate", "marts"):
            self.con.execute(f"create schema if not exists {schema}")

    def given(self, schema: str, table: str, frame) -> None:
        self.con.register("given_frame", frame)
        self.con.execute(f"create or replace table {schema}.{table} as select * from given_frame")
        self.con.unregister("given_frame")

    def build(self, schema: str, model: str):
        # a mart published per industry set is a filter of its _by_set model: build that first
        if f"{model}_by_set" in self.compiled and f"{model}_by_set" in self.compiled[model]:
            self.build(schema, f"{model}_by_set")
        self.con.execute(f"create or replace table {schema}.{model} as {self.compiled[model]}")
        return self.con.execute(f"select * from {schema}.{model}").df()


@pytest.fixture
def model_runner(tmp_path, compiled_models) -> ModelRunner:
    runner = ModelRunner(tmp_path, compiled_models)
    yield runner
    runner.con.close()


def ensure_dbt_manifest() -> None:
    """dagster-dbt needs target/manifest.json; `make test` prepares it, a bare pytest may not.
    Several worker processes (pytest-xdist) may get here at once: one parses, the others wait."""
    from orchestration.ingest.dbt_catalogue import write as write_catalogue_files

    (DBT_PROJECT_DIR / "target").mkdir(exist_ok=True)
    with open(DBT_PROJECT_DIR / "target" / ".parse.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        # the dbt files derived from the source catalogue, as `make` writes them; parse again if any changed
        if write_catalogue_files() or not (DBT_PROJECT_DIR / "target" / "manifest.json").exists():
            # for `make`'s default directory, as `make` parses (the saved parse is reused in any other)
            env = {"WAREHOUSE_DIR": str(REPO_ROOT / "warehouse"), **os.environ}
            subprocess.run([sys.executable, "-m", "orchestration.dbt_parse_state"], cwd=REPO_ROOT, env=env, check=True)


ensure_dbt_manifest()


def run_refresh(
    raw_dir: Path,
    warehouse_dir: Path,
    *,
    allow_changes: bool = False,
    full: bool = False,
    job_name: str = "refresh_warehouse",
    asset_selection=None,
    env: dict[str, str] | None = None,
    run_tags: dict[str, str] | None = None,
):
    """Run the real refresh job (or the implicit asset job, optionally a selection of it) in
    process against the given directories. run_tags, when given, receives the run's tags as
    stored at its end (steps add tags while the run goes)."""
    from dagster import DagsterInstance

    from orchestration.definitions import build_definitions
    from orchestration.settings import Settings

    with pytest.MonkeyPatch.context() as patch:
        # The Great Expectations worker a run starts (4 s of importing) serves the next run of this
        # test process too; a worker that has ended is replaced as a run would replace it.
        patch.setattr(gx_worker, "stop", _stop_gx_worker_if_ended)
        # So does dbt's fork server, dbt imported once (its address leaves the environment with
        # the run, as a run's own stop would take it).
        patch.setattr(dbt_forkserver_control, "stop", _forget_dbt_forkserver)
        patch.setenv("RAW_DIR", str(raw_dir))
        patch.setenv("WAREHOUSE_DIR", str(warehouse_dir))
        for name, value in (env or {}).items():
            patch.setenv(name, value)
        settings = Settings.from_env()
        definitions = build_definitions(settings)
        job = (
            definitions.resolve_job_def(job_name)
            if job_name != "__ASSET_JOB"
            else definitions.resolve_implicit_global_asset_job_def()
        )
        run_config = {"ops": {"publish__publication": {"config": {"allow_changes": allow_changes, "full": full}}}}
        if asset_selection is not None and not any(key.path[0] == "publish" for key in asset_selection):
            run_config = {}
        with DagsterInstance.ephemeral() as instance:
            result = job.execute_in_process(
                instance=instance, raise_on_error=False, run_config=run_config, asset_selection=asset_selection
            )
            if run_tags is not None:
                run_tags.update(instance.get_run_by_id(result.run_id).tags)
            return result, settings


_stop_gx_worker = gx_worker.stop
_stop_dbt_forkserver = dbt_forkserver_control.stop


def _forget_dbt_forkserver() -> None:
    os.environ.pop(dbt_forkserver_control.ADDRESS_VARIABLE, None)


def _stop_gx_worker_if_ended() -> None:
    if gx_worker._worker is not None and gx_worker._worker.poll() is not None:
        _stop_gx_worker()


@pytest.fixture(scope="session", autouse=True)
def _workers_of_the_session():
    """Stops the Great Expectations worker and dbt's fork server the in-process refreshes of this
    session shared."""
    yield
    _stop_gx_worker()
    _stop_dbt_forkserver()


# --- publications built once per test session and shared by every worker process -----------------


def shared_directory(tmp_path_factory, name: str, build: Callable[[Path], None]) -> Path:
    """A directory `build` fills once per session, whichever pytest-xdist worker asks first; the
    others wait for it. Readers must not change it: a test that needs to, copies it."""
    base = tmp_path_factory.getbasetemp()
    # the workers' base directories are siblings in the session's own directory
    root = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "shared" / name
    root.parent.mkdir(parents=True, exist_ok=True)
    with open(f"{root}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (root / ".built").exists():
            shutil.rmtree(root, ignore_errors=True)  # an attempt that failed
            root.mkdir()
            build(root)
            (root / ".built").touch()
    return root


def _published(raw_dir: Path, **options) -> Callable[[Path], None]:
    def build(root: Path) -> None:
        result, _ = run_refresh(raw_dir, root / "warehouse", **options)
        assert result.success, [e.message for e in result.all_events if e.is_failure]

    return build


def _settings(raw_dir: Path, warehouse_dir: Path):
    from orchestration.settings import Settings

    return Settings(raw_dir=raw_dir.resolve(), warehouse_dir=warehouse_dir.resolve())


@pytest.fixture(scope="session")
def sample_publication(tmp_path_factory):
    """The samples (raw/ itself) built and published once per session. Read only: copy_publication
    gives a test a warehouse of its own."""
    root = shared_directory(tmp_path_factory, "sample_publication", _published(REPO_ROOT / "raw"))
    return _settings(REPO_ROOT / "raw", root / "warehouse")


@pytest.fixture(scope="session")
def sample_publication_with_groups(tmp_path_factory):
    """The samples published with the example REGION_GROUPS_FILE (and the default comparison pair),
    once per session. Read only, as sample_publication."""
    groups = {"REGION_GROUPS_FILE": str(REPO_ROOT / "examples" / "region_groups.yml")}
    root = shared_directory(
        tmp_path_factory, "sample_publication_with_groups", _published(REPO_ROOT / "raw", env=groups)
    )
    return _settings(REPO_ROOT / "raw", root / "warehouse")


# The comparison pairs the report tests find pre-built: test_report.py's user pair, and the pairs
# test_report_any_pair.py computes at report time and compares with their pre-built rows. Not the
# default pair, which a refresh with these pairs stops publishing (test_report_any_pair.py).
PREBUILT_PAIRS = "east:central:2006:2013,shanghai_jiangsu:zhejiang_anhui:2005:2014"
COMPARISON_REPORTS_METADATA = "comparison_reports_metadata.json"


@pytest.fixture(scope="session")
def sample_publication_with_pairs(tmp_path_factory):
    """The samples published with the example REGION_GROUPS_FILE and PREBUILT_PAIRS, once per
    session, with the metadata of the run's one comparison_reports materialization (what the UI
    shows) in COMPARISON_REPORTS_METADATA beside the warehouse. Read only, as sample_publication."""
    env = {"REGION_GROUPS_FILE": str(REPO_ROOT / "examples" / "region_groups.yml"), "REPORT_PAIRS": PREBUILT_PAIRS}

    def build(root: Path) -> None:
        result, _ = run_refresh(REPO_ROOT / "raw", root / "warehouse", env=env)
        assert result.success, [e.message for e in result.all_events if e.is_failure]
        (reports,) = [
            event.materialization.metadata
            for event in result.get_asset_materialization_events()
            if event.asset_key.path == ["published", "comparison_reports"]
        ]
        metadata = {label: str(entry.value) for label, entry in reports.items()}
        (root / COMPARISON_REPORTS_METADATA).write_text(json.dumps(metadata), encoding="utf-8")

    root = shared_directory(tmp_path_factory, "sample_publication_with_pairs", build)
    return _settings(REPO_ROOT / "raw", root / "warehouse")


@pytest.fixture(scope="session")
def real_publication(yearbook_dir, tmp_path_factory):
    """The real extracts built and published once per session. Read only, as sample_publication."""
    root = shared_directory(tmp_path_factory, "real_publication", _published(yearbook_dir))
    return _settings(yearbook_dir, root / "warehouse")


def copy_publication(settings, warehouse_dir: Path):
    """A copy of a shared publication's warehouse (a file copy, far cheaper than a refresh), built
    from the same raw directory."""
    shutil.copytree(settings.warehouse_dir, warehouse_dir, symlinks=True)
    return _settings(settings.raw_dir, warehouse_dir)


# Fixtures that run a refresh (or a webserver): a test using one is marked `refresh`.
REFRESH_FIXTURES = {
    "sample_publication",
    "sample_publication_with_groups",
    "sample_publication_with_pairs",
    "real_publication",
    "real_build",
    "published_samples",
    "case",
    "corpus_baseline",
    "served",
    "user_pair_build",
    "duckdb_build",
    "published_warehouse",
}
REFRESH_MODULES = {
    "test_end_to_end",
    "test_launch_paths",
    "test_webserver",
    "test_bad_input_corpus",
    "test_report",
    "test_report_caveats",
    "test_report_any_pair",
    "test_make_run",
    "test_preflight",
    "test_soak",
}


# `make test` runs pytest-xdist with --dist loadfile --no-loadscope-reorder: each worker takes
# whole files in collection order and is handed the next file once it has two tests left. Files
# that take minutes go first, longest first, so that the last files handed out are short ones and
# the two workers finish together. Without --no-loadscope-reorder, xdist hands out the files with
# the most tests first, and test_webserver (2 min, few tests) started last. Seconds per file on a
# 2-core machine: docs/benchmarks.md, "Test suite time".
LONGEST_FIRST = (
    "test_webserver",
    "test_bad_input_corpus",
    "test_preflight",
    "test_launch_paths",
    "test_end_to_end",
    "test_soak",
    "test_report_any_pair",
    "test_report_caveats",
    "test_report",
    "test_query_confinement",
)


def _module_name(item) -> str:
    return item.module.__name__.split(".")[-1]


def pytest_collection_modifyitems(items):
    """Mark tests by what they need, so `-m "not real_data and not refresh"` is the fast tier, and put
    the longest files first (LONGEST_FIRST); a file's own tests keep their order."""
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(_module_name(item), len(rank)))
    for item in items:
        if "yearbook_dir" in item.fixturenames:
            item.add_marker(pytest.mark.real_data)
        if REFRESH_FIXTURES & set(item.fixturenames) or _module_name(item) in REFRESH_MODULES:
            item.add_marker(pytest.mark.refresh)


# Outcome of each adversarial scenario (tests/test_bad_input_corpus.py), printed as a table at the
# end of the run: scenario -> what happened to the published file.
# Tests may run in several worker processes (pytest-xdist), so each outcome is a line in a file
# of a directory the first process creates and every worker inherits through the environment.
OUTCOMES_DIR = "SCENARIO_OUTCOMES_DIR"


def pytest_configure(config):
    if OUTCOMES_DIR not in os.environ:
        os.environ[OUTCOMES_DIR] = tempfile.mkdtemp(prefix="scenario_outcomes_")


def record_outcome(scenario: str, outcome: str) -> None:
    path = Path(os.environ[OUTCOMES_DIR]) / f"{os.getpid()}.jsonl"
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(json.dumps([scenario, outcome], ensure_ascii=False) + "\n")


def pytest_terminal_summary(terminalreporter):
    outcomes = [
        tuple(json.loads(line))
        for path in sorted(Path(os.environ[OUTCOMES_DIR]).glob("*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
    ]
    if not outcomes:
        return
    terminalreporter.section("adversarial scenarios: outcome")
    width = max(len(s) for s, _ in outcomes)
    for scenario, outcome in outcomes:
        terminalreporter.write_line(f"{scenario:<{width}}  {outcome}")
    counts: dict[str, int] = {}
    for _, outcome in outcomes:
        counts[outcome] = counts.get(outcome, 0) + 1
    terminalreporter.write_line("; ".join(f"{n} {outcome}" for outcome, n in sorted(counts.items())))
