"""Every way a user starts a refresh, in process: Materialize all (the implicit asset job), a single
asset, a publish-only selection, Launchpad config, the schedule, the sensor and `make run`'s
nothing-changed path. The same paths through a real webserver are in test_webserver.py."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.definitions import build_definitions
from orchestration.ingest.file_list import FILE_LIST_KEY
from orchestration.publish_scope import PUBLICATION_TAG, PUBLISH_STEP_KEY, PUBLISHED_KEY
from orchestration.settings import REPO_ROOT, Settings

from .conftest import run_refresh


@pytest.fixture
def sample_raw(tmp_path) -> Path:
    raw = tmp_path / "raw"
    shutil.copytree(REPO_ROOT / "raw", raw)
    return raw


@pytest.fixture(scope="module")
def published_samples(tmp_path_factory):
    """The samples built and published once by Materialize all: the implicit asset job with every
    asset selected, which is what the lineage view's button launches."""
    root = tmp_path_factory.mktemp("published_samples")
    shutil.copytree(REPO_ROOT / "raw", root / "raw")
    result, settings = run_refresh(root / "raw", root / "warehouse", job_name="__ASSET_JOB")
    assert result.success, [e.message for e in result.all_events if e.is_failure]
    return root, settings


def test_every_job_runs_in_process(sample_raw, tmp_path):
    definitions = build_definitions(Settings(sample_raw, tmp_path / "warehouse"))
    jobs = [definitions.resolve_implicit_global_asset_job_def(), definitions.resolve_job_def("refresh_warehouse")]
    for job in jobs:
        assert job.executor_def is dg.in_process_executor, job.name


def test_materialize_all_publishes(published_samples):
    _, settings = published_samples
    with duckdb.connect(str(settings.published_db), read_only=True) as con:
        tables = {row[0] for row in con.execute("select table_name from publication_table").fetchall()}
        assert con.execute("select count(*) from mart_location_quotient").fetchone()[0] > 100
    assert "mart_location_quotient" in tables
    assert not (settings.warehouse_dir / "refresh.lock").read_text()  # released
    # a copy of the samples outside the checkout's raw/ is not called the samples (`make status`)
    done = subprocess.run(
        [sys.executable, "-m", "orchestration.cli", "status"],
        cwd=REPO_ROOT,
        env={**os.environ, "RAW_DIR": str(settings.raw_dir), "WAREHOUSE_DIR": str(settings.warehouse_dir)},
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert f"from {settings.raw_dir}" in done.stdout and "SAMPLE" not in done.stdout


def test_a_single_mart_is_rebuilt_but_not_published(published_samples):
    root, settings = published_samples
    before = settings.published_db.read_bytes()
    tags = {}
    result, _ = run_refresh(
        root / "raw",
        settings.warehouse_dir,
        job_name="__ASSET_JOB",
        asset_selection=[dg.AssetKey(["marts", "mart_location_quotient"])],
        run_tags=tags,
    )
    assert result.success and tags[PUBLICATION_TAG] == "nothing: built into the build database only"
    materialized = [e for e in result.all_events if e.is_step_materialization]
    assert {e.asset_key.to_user_string() for e in materialized} == {"marts/mart_location_quotient"}
    metadata = materialized[0].step_materialization_data.materialization.metadata
    assert "build database only" in metadata["published"].value
    assert settings.published_db.read_bytes() == before


def _outcome(result) -> str:
    """What the publish step decided, as its materialization says."""
    (step,) = [e for e in result.all_events if e.asset_key == PUBLISH_STEP_KEY and e.is_step_materialization]
    return step.step_materialization_data.materialization.metadata["outcome"].value


def test_the_file_list_alone_neither_refuses_nor_stops(published_samples, tmp_path):
    """raw/file_list in a run without the publish step only lists: an empty RAW_DIR is refused only
    where a run would publish it."""
    _, settings = published_samples
    empty = tmp_path / "empty"
    empty.mkdir()
    tags = {}
    result, _ = run_refresh(
        empty, settings.warehouse_dir, job_name="__ASSET_JOB", asset_selection=[FILE_LIST_KEY], run_tags=tags
    )
    assert result.success
    (materialization,) = result.asset_materializations_for_node("raw__file_list")
    assert materialization.metadata["n_files"].value == 0
    assert PUBLICATION_TAG not in tags


def test_a_selection_without_the_file_list_is_declined_by_the_publish_step(published_samples):
    """Every executable asset but raw/file_list, nothing changed: the publish step's own rule, the
    one the file list applies first, declines after the rebuild and says the build was rebuilt."""
    root, settings = published_samples
    before = settings.published_db.read_bytes()
    graph = build_definitions(settings).resolve_asset_graph()
    selection = [key for key in graph.get_all_asset_keys() if graph.get(key).is_executable and key != FILE_LIST_KEY]
    tags = {}
    result, _ = run_refresh(
        root / "raw", settings.warehouse_dir, job_name="__ASSET_JOB", asset_selection=selection, run_tags=tags
    )
    assert result.success and tags[PUBLICATION_TAG] == "nothing: nothing changed"
    text = _outcome(result)
    assert text.startswith("Nothing published: nothing changed since the publication of")
    assert "The build database was rebuilt; the published file is unchanged." in text
    assert settings.published_db.read_bytes() == before


def test_publishing_alone_is_refused_up_front(published_samples):
    root, settings = published_samples
    before = settings.published_db.read_bytes()
    tags = {}
    result, _ = run_refresh(
        root / "raw", settings.warehouse_dir, job_name="__ASSET_JOB", asset_selection=[PUBLISH_STEP_KEY], run_tags=tags
    )
    # nothing failed and nothing was published: no failure, so no stack trace; one sentence
    assert result.success and not [e for e in result.all_events if e.is_step_failure]
    message = _outcome(result)
    assert message.startswith("Not published: publishing needs a run that rebuilds and checks everything upstream")
    assert (
        "Materialize all" in message and message.count(". ") <= 2
    )  # one sentence ("e.g. " inside), and where the file is
    assert not [e for e in result.all_events if e.asset_key == PUBLISHED_KEY]
    assert tags[PUBLICATION_TAG] == "nothing: not a full refresh"
    assert settings.published_db.read_bytes() == before


def test_materialize_all_with_nothing_changed_publishes_nothing_unless_full(published_samples):
    root, settings = published_samples
    before = settings.published_db.read_bytes()
    tags = {}
    build_db = settings.build_db.read_bytes()
    result, _ = run_refresh(root / "raw", settings.warehouse_dir, job_name="__ASSET_JOB", run_tags=tags)
    assert result.success and tags[PUBLICATION_TAG] == "nothing: nothing changed"
    assert not [e for e in result.all_events if e.asset_key == PUBLISHED_KEY]
    # the run stops at its first step, as `make run` stops before Dagster: the file list says why
    # and every later step is skipped, nothing rebuilt
    (observation,) = [e for e in result.all_events if e.event_type_value == "ASSET_OBSERVATION"]
    assert observation.asset_key == FILE_LIST_KEY
    text = observation.asset_observation_data.asset_observation.metadata["outcome"].value
    assert text.startswith("Nothing published: nothing changed since the publication of")
    assert "Nothing was rebuilt; the published file is unchanged." in text
    assert text.endswith("Publish anyway with ops: publish__publication: config: full: true.")
    started = {e.step_key for e in result.all_events if e.event_type_value == "STEP_START"}
    # beside it only the published file's own checks, which read the file in place
    assert started == {
        "raw__file_list",
        "published__marts_file_published_file_is_complete",
        "published__marts_file_publication_passed_its_checks",
    }
    assert not [e for e in result.all_events if e.is_step_materialization]
    assert settings.published_db.read_bytes() == before and settings.build_db.read_bytes() == build_db

    tags = {}
    result, _ = run_refresh(root / "raw", settings.warehouse_dir, job_name="__ASSET_JOB", full=True, run_tags=tags)
    assert result.success and settings.published_db.read_bytes() != before
    # the raw assets' metadata says what this run's build is for: the publication at its end
    raw = next(
        e
        for e in result.all_events
        if e.is_step_materialization and e.asset_key.path[0] == "raw" and e.asset_key != FILE_LIST_KEY
    )
    assert raw.step_materialization_data.materialization.metadata["published"].value.startswith("by publish/")
    metadata = next(
        e for e in result.all_events if e.asset_key == PUBLISHED_KEY and e.is_step_materialization
    ).step_materialization_data.materialization.metadata
    assert re.fullmatch(r"\d+ passed, \d+ warnings?", metadata["checks"].value)
    assert metadata["published_by_run"].value == result.run_id
    assert metadata["raw_dir"].value == str(root / "raw")
    version = Path(metadata["version_dir"].value).name
    assert metadata["version"].value == version
    assert tags[PUBLICATION_TAG] == f"published: {version}"
    assert _outcome(result) == (
        f"Published version {version} to {settings.published_db} ({len(metadata['tables'].value)} tables)."
    )
    checks = {
        e.event_specific_data.check_name: e.event_specific_data.passed
        for e in result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION" and e.event_specific_data.asset_key == PUBLISHED_KEY
    }
    assert checks == {"published_file_is_complete": True, "publication_passed_its_checks": True}


def test_allow_changes_passes_the_nothing_changed_stop_as_full_does(published_samples):
    """Nothing changed since the last test's publication; with allow_changes (as `make run
    ALLOW_CHANGES=1`) the file list does not stop the run: here the publish step comes next and
    declines, as the selection rebuilt nothing else."""
    root, settings = published_samples
    before = settings.published_db.read_bytes()
    tags = {}
    result, _ = run_refresh(
        root / "raw",
        settings.warehouse_dir,
        job_name="__ASSET_JOB",
        asset_selection=[FILE_LIST_KEY, PUBLISH_STEP_KEY],
        allow_changes=True,
        run_tags=tags,
    )
    assert result.success
    assert not [e for e in result.all_events if e.event_type_value == "ASSET_OBSERVATION"]
    assert len(result.asset_materializations_for_node("raw__file_list")) == 1
    assert _outcome(result).startswith("Not published: publishing needs a run that rebuilds and checks everything")
    assert tags[PUBLICATION_TAG] == "nothing: not a full refresh"
    assert settings.published_db.read_bytes() == before


def test_launchpad_directories_reach_every_step_dbt_included(sample_raw, tmp_path, monkeypatch):
    loaded_with = tmp_path / "loaded_with"
    chosen = tmp_path / "chosen_in_launchpad"
    monkeypatch.setenv("RAW_DIR", str(sample_raw))
    monkeypatch.setenv("WAREHOUSE_DIR", str(loaded_with))
    definitions = build_definitions(Settings.from_env())
    job = definitions.resolve_job_def("refresh_warehouse")
    run_config = {"resources": {"warehouse": {"config": {"raw_dir": str(sample_raw), "warehouse_dir": str(chosen)}}}}
    with dg.DagsterInstance.ephemeral() as instance:
        result = job.execute_in_process(instance=instance, run_config=run_config, raise_on_error=False)
    assert result.success, [e.message for e in result.all_events if e.is_failure]
    with duckdb.connect(str(chosen / "build.duckdb"), read_only=True) as con:
        marts = {
            r[0]
            for r in con.execute(
                "select table_name from duckdb_tables() where schema_name = 'marts' "
                "union all select view_name from duckdb_views() where schema_name = 'marts'"
            ).fetchall()
        }
    assert {"mart_location_quotient", "mart_location_quotient_by_set"} <= marts
    assert (chosen / "marts.duckdb").exists()
    assert not (loaded_with / "build.duckdb").exists() and not (loaded_with / "marts.duckdb").exists()


def test_schedule_names_its_directories(tmp_path):
    settings = Settings(tmp_path / "raw", tmp_path / "warehouse")
    definitions = build_definitions(settings)
    schedule = definitions.resolve_schedule_def("yearly_refresh")
    assert schedule.default_status == dg.DefaultScheduleStatus.STOPPED
    assert schedule.cron_schedule == "0 6 1 12 *"
    config = schedule.evaluate_tick(dg.build_schedule_context()).run_requests[0].run_config
    assert config == {
        "resources": {
            "warehouse": {"config": {"raw_dir": str(tmp_path / "raw"), "warehouse_dir": str(tmp_path / "warehouse")}}
        }
    }
    sensor = definitions.resolve_sensor_def("raw_files_changed")
    assert sensor.default_status == dg.DefaultSensorStatus.STOPPED


def test_sensor_starts_a_refresh_when_files_change_and_not_otherwise(published_samples, tmp_path):
    root, published = published_samples
    raw = tmp_path / "raw"
    shutil.copytree(root / "raw", raw)
    settings = Settings(raw, published.warehouse_dir)
    sensor = build_definitions(settings).resolve_sensor_def("raw_files_changed")

    def tick(cursor=None):
        with dg.DagsterInstance.ephemeral() as instance:
            return sensor.evaluate_tick(dg.build_sensor_context(instance=instance, cursor=cursor))

    quiet = tick()
    assert not quiet.run_requests and "No file changed" in quiet.skip_message

    (raw / "wind-mbr" / "江苏.xlsx").write_bytes((raw / "wind-mbr" / "江苏.xlsx").read_bytes() + b"\0")
    changed = tick()
    assert len(changed.run_requests) == 1
    assert changed.run_requests[0].tags["warehouse/changed_files"] == "1 changed: wind-mbr/江苏.xlsx"
    assert changed.run_requests[0].run_config["resources"]["warehouse"]["config"]["raw_dir"] == str(raw)
    # the same change does not start a second refresh
    again = tick(cursor=changed.cursor)
    assert not again.run_requests and "Already started a refresh" in again.skip_message

    shutil.copy(raw / "wind-mbr" / "上海.xlsx", raw / "wind-mbr" / "重庆.xlsx")
    (raw / "wind-mbr" / "浙江.xlsx").unlink()
    both = tick(cursor=changed.cursor)
    tags = both.run_requests[0].tags["warehouse/changed_files"]
    assert "1 added: wind-mbr/重庆.xlsx" in tags and "1 removed: wind-mbr/浙江.xlsx" in tags


def test_nothing_changed_publishes_nothing(published_samples, monkeypatch, capsys):
    from orchestration import cli

    root, settings = published_samples
    monkeypatch.setenv("RAW_DIR", str(root / "raw"))
    monkeypatch.setenv("WAREHOUSE_DIR", str(settings.warehouse_dir))
    # the first `make run` finds the publication Materialize all made (or rebuilds once); the
    # second finds nothing changed
    monkeypatch.setenv("DAGSTER_HOME", str(root / "dagster_home"))
    (root / "dagster_home").mkdir(exist_ok=True)
    assert cli.main(["build"]) == 0
    before = settings.published_db.read_bytes()
    capsys.readouterr()
    assert cli.main(["build"]) == 0
    out = capsys.readouterr().out
    assert "Nothing changed since the publication of" in out and "Nothing was rebuilt or published" in out
    assert settings.published_db.read_bytes() == before
    # the files back as published between `make run`'s check and the run's own: the run stops at
    # its first step and `make run` says nothing changed, exit code 0, not "NOT refreshed"
    real_check, calls = cli._nothing_changed, []

    def changed_at_first(*args):
        calls.append(args)
        return len(calls) > 1 and real_check(*args)

    monkeypatch.setattr(cli, "_nothing_changed", changed_at_first)
    assert cli.main(["build"]) == 0
    out = capsys.readouterr()
    assert len(calls) == 2 and "Refreshing the warehouse from" in out.out  # the run started
    assert "Nothing was rebuilt or published" in out.out and "NOT refreshed" not in out.err
    assert settings.published_db.read_bytes() == before
    monkeypatch.setattr(cli, "_nothing_changed", real_check)
    # another comparison pair is a change: its industry sets must be built, so `make run` rebuilds
    # (added to the published one: a pair dropped from REPORT_PAIRS is a change the guard asks to allow)
    monkeypatch.setenv("REPORT_PAIRS", "yrd:jjj:2005:2014,yrd:jjj:2006:2012")
    assert cli.main(["build"]) == 0
    assert "Nothing changed" not in capsys.readouterr().out
    with duckdb.connect(str(settings.published_db), read_only=True) as con:
        sets = {r[0] for r in con.execute("select distinct industry_set from mart_location_quotient_by_set").fetchall()}
    assert {"span_2006_2012", "pair_yrd_jjj_2006_2012"} <= sets
