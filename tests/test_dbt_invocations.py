"""dbt's invocation directories under target/: the newest and the young stay, the rest go."""

import os

from orchestration.dbt_invocations import KEEP, remove_old_invocations

DAY = 24 * 3600


def _invocation(target, name, age_days, now):
    directory = target / name
    (directory / "compiled").mkdir(parents=True)
    (directory / "run_results.json").write_text("{}")
    os.utime(directory, (now - age_days * DAY, now - age_days * DAY))
    return directory


def test_the_newest_and_the_young_stay_and_other_directories_are_never_touched(tmp_path):
    now = 1_800_000_000.0
    # 14 builds, one a day: the 10 newest stay whatever their age, the 4 oldest go
    builds = [_invocation(tmp_path, f"warehouse_dbt_models-{i:07x}-abcdef{i:1x}", 20 - i, now) for i in range(14)]
    # the report's compiled pairs and a name of another shape are not dbt's invocation directories
    (tmp_path / "report_time").mkdir()
    os.utime(tmp_path / "report_time", (now - 90 * DAY, now - 90 * DAY))
    (tmp_path / "manifest.json").write_text("{}")

    removed = remove_old_invocations(tmp_path, now=now)

    assert sorted(removed) == sorted(builds[:4])
    assert [b.exists() for b in builds] == [False] * 4 + [True] * KEEP
    assert (tmp_path / "report_time").exists() and (tmp_path / "manifest.json").exists()


def test_beyond_the_newest_a_directory_younger_than_a_day_stays(tmp_path):
    now = 1_800_000_000.0
    young = [
        _invocation(tmp_path, f"warehouse_dbt_models-{i:07x}-1234567", 0.5 - i / 100, now) for i in range(KEEP + 3)
    ]
    assert remove_old_invocations(tmp_path, now=now) == []
    assert all(y.exists() for y in young)


def test_dbt_stopping_before_any_node_fails_with_its_own_error_not_a_missing_file(tmp_path, monkeypatch):
    """dbt stopping before any node writes no run_results.json; the dbt step's failure is then dbt's
    error in one sentence, without frames, and what to do. Here a scratch project's dbt_project.yml
    it cannot parse; in a refresh, a model YAML edited after the manifest was prepared (a broken
    dbt_project.yml itself stops the definitions loading, before any step: dagster-dbt reads it)."""
    import dagster as dg
    import pytest
    from dagster_dbt import DbtCliResource

    from orchestration.dbt_assets import run_results_or_failure
    from orchestration.settings import REPO_ROOT

    from .scratch_dbt import scratch_project

    project = scratch_project(tmp_path, (), {"one.sql": "select 1 as x\n"})
    (project / "dbt_project.yml").write_text(
        "name: scratch\nversion: '1.0.0'\nconfig-version: 2\nprofile: scratch\nvars:\n"
        "  min_manufacturing_coverage: 0.5\n   max_manufacturing_coverage: [1.05\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("PATH", f"{REPO_ROOT / '.venv' / 'bin'}{os.pathsep}{os.environ['PATH']}")
    dbt = DbtCliResource(project_dir=str(project), profiles_dir=str(project))
    invocation = dbt.cli(["build"], raise_on_error=False, manifest={"nodes": {}, "sources": {}, "metadata": {}})
    list(invocation.stream_raw_events())
    assert invocation.process.wait() != 0 and not (project / "target" / "run_results.json").exists()

    # column 30: the colon after max_manufacturing_coverage, indented one space too far (1-based)
    with pytest.raises(dg.Failure) as failure:
        run_results_or_failure(invocation)
    assert failure.value.description == (
        "dbt stopped before building anything, so nothing was published and the published file is unchanged. "
        "dbt said: Runtime Error; Syntax error near line 7; mapping values are not allowed in this context; "
        'in "<unicode string>", line 7, column 30. Correct the file and line it names under dbt_project/ '
        "(a syntax error in dbt_project.yml is given by its line only) and run again."
    )
