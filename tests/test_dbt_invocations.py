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
