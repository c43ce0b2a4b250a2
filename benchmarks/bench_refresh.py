"""Refresh benchmark on the users' path: `make run` itself, timed from outside, on the real extracts.

    make bench [BASE=../wt-base]                # RAW_DIR defaults to ../shared/data/yearbook
    python benchmarks/bench_refresh.py [--repeat 3] [--ui]
    python benchmarks/bench_refresh.py --base ../wt-base [--repeat 3] [--ui]   # old vs this, alternately

Each measured command is the one a user types, in a scratch WAREHOUSE_DIR, warm (the venv, the dbt
manifest and the OS file cache are ready; one untimed refresh first):

- full refresh:       `make run FULL=1`: every file parsed, dbt build with all its tests, every
                      Great Expectations suite (expectations/*.json), the validation report, the comparison with the
                      current publication and the publish;
- nothing changed:    `make run` with the same files;
- one changed file:   `make run` after one province's Wind export changed (one cell, +0.1 %);
- with --ui:          `dagster dev` started on a free port; a run launched through the GraphQL API the
                      UI uses: click to run start, and click to success. Alone: the refresh_warehouse
                      job, allowed to publish a change. With --base: "Materialize all".

For the full refresh it prints the stages from the run's own timings (the Dagster event log) next
to dbt's own time for `dbt build` in the same run (process start to exit, and the part dbt reports
for executing its nodes), then the targets, each met or not. Asserts nothing.

With --base (a worktree of another commit, e.g. `git worktree add ../wt-base <commit>` with its
.venv linked), it takes every measurement above in that worktree ("old") and in this one ("new"),
the two back to back, one untimed `make run FULL=1` each first; the order of the two sides
alternates from round to round. It prints a Markdown table of medians, old against new, with their
ratio (the table in docs/benchmarks.md), then this commit's targets. On a shared machine only such
same-sitting ratios are worth comparing.

- Each side has its own copy of the raw files and its own scratch warehouse; before the one-file
  run (and before "Materialize all") the same cell is changed in both copies. With one shared copy
  a change made for one side would turn the other side's "nothing changed" into a changed file.
- The UI runs each side's own code: this worktree's tests/webserver_client.dagster_dev starts
  `dagster dev` in the side's worktree (working directory and PYTHONPATH) with the side's own
  orchestration/dagster_instance.yaml (older commits have none: Dagster's default instance, as
  their `make ui` had), a fresh DAGSTER_HOME per round. The client is this worktree's on purpose:
  it speaks Dagster's GraphQL API, which belongs to the installed Dagster (one .venv for both), not
  to the commit, whose own tests/webserver_client.py may be missing or differ.
- "Materialize all" is the implicit asset job with every executable asset the side's webserver
  lists and no run config, as the button sends it; so no publish op's config name (publish__publication
  here, published__marts_file in older commits) is needed. One province file is changed first, so
  that it publishes, like the `make run FULL=1` it is set against.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

# The one registry of the refresh targets: seconds, or a ratio where the name says "vs" or "share".
TARGETS = {
    "full": 15.0,
    "full_vs_dbt": 1.5,  # make run FULL=1 against dbt's own elapsed (its nodes) in the same run
    "dbt_vs_old": 0.60,  # dbt's own elapsed against the old commit's, same sitting
    "nothing_changed": 5.0,
    "one_file_share": 0.60,
    "ui_start": 10.0,
    "ui_full": 25.0,
    "ui_all_vs_full": 1.2,  # "Materialize all", click to success, against make run FULL=1
}

# Under `make bench` the outer make's flags and command-line variables (BASE=, RAW_DIR=, ...) would
# reach the inner `make run` and override the directories given to it here.
OUTER_MAKE = ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")
UI_RUN_TIMEOUT = 3600  # a refresh of the real extracts through a loaded webserver takes minutes

Launch = Literal["refresh_warehouse", "materialize_all"]


def make_run(raw: Path, warehouse: Path, repo: Path = REPO_ROOT, **extra: str) -> float:
    env = {key: value for key, value in os.environ.items() if key not in OUTER_MAKE}
    # PYTHONPATH: the worktree's own code in every process, whichever checkout the caller runs
    env.update(RAW_DIR=str(raw), WAREHOUSE_DIR=str(warehouse), PYTHONPATH=str(repo), **extra)
    started = time.perf_counter()
    # -o .venv/.installed: a worktree shares this checkout's .venv, and its pyproject.toml is as new
    # as its checkout, so make would reinstall the package from the worktree (pip install -e), and
    # `orchestration` would import from there after the benchmark, outside PYTHONPATH
    done = subprocess.run(
        ["make", "-s", "-o", ".venv/.installed", "run"], cwd=repo, env=env, capture_output=True, text=True
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"make run in {repo} failed:\n{done.stderr[-3000:]}")
    return elapsed


def latest_timings(warehouse: Path) -> dict:
    runs = sorted((warehouse / "reports").iterdir(), key=lambda p: p.stat().st_mtime)
    return json.loads((runs[-1] / "_timings.json").read_text(encoding="utf-8"))


def change_one_province(raw: Path) -> None:
    import openpyxl

    path = raw / "wind-mbr" / "北京.xlsx"
    book = openpyxl.load_workbook(path)
    sheet = book.active
    for row in sheet.iter_rows(min_row=2):
        cell = row[3]
        if isinstance(cell.value, (int, float)):
            cell.value = cell.value * 1.001
            break
    book.save(path)


def ui_timings(
    raw: Path,
    warehouse: Path,
    launch: Launch = "refresh_warehouse",
    repo: Path = REPO_ROOT,
    home: Path | None = None,
    again: bool = False,
) -> tuple[float, ...]:
    """Click (the launch mutation the UI sends) to run start, and click to success, in `dagster dev`
    running `repo`'s code: the refresh_warehouse job from the Launchpad, allowed to publish a change
    (this commit's publish op), or "Materialize all" (every executable asset, no config). `again`:
    then the same click once more, nothing changed since, and its click to success."""
    from tests.webserver_client import dagster_dev

    home = home or warehouse.parent / "dagster_home_bench"
    with dagster_dev(raw, warehouse, home, repo=repo) as (server, location, assets):

        def click() -> tuple[str, float]:
            clicked = time.time()
            if launch == "materialize_all":
                run = server.launch(location, "__ASSET_JOB", assets=assets)
            else:
                from orchestration.publish_scope import PUBLISH_OP

                config = {"ops": {PUBLISH_OP: {"config": {"allow_changes": True}}}}
                run = server.launch(location, "refresh_warehouse", run_config=config)
            status = server.wait(run, timeout=UI_RUN_TIMEOUT)
            if status != "SUCCESS":
                raise SystemExit(f"UI {launch} in {repo} ended {status}")
            return run, clicked

        run, clicked = click()
        finished = time.time()
        started = server.query("query($id: ID!) { runOrError(runId: $id) { ... on Run { startTime } } }", {"id": run})[
            "runOrError"
        ]["startTime"]
        times = (started - clicked, finished - clicked)
        if again:
            _, clicked = click()
            times += (time.time() - clicked,)
    return times


def mark(value: float, target: float) -> str:
    return "met" if value <= target else "NOT met"


def print_target(subject: str, value: float | None, key: str, unit: str, against: str = "") -> None:
    """One target line: what is measured, its target from TARGETS in its unit ("s", "x" or "%"),
    what it is set against, the measured value, met or not."""
    target = TARGETS[key]
    limit = {"s": f"{target:g} s", "x": f"{target:g}x", "%": f"{target:.0%}"}[unit]
    if value is None:
        print(f"  {subject} <= {limit}{against}: not measured")
        return
    shown = {"s": f"{value:.1f} s", "x": f"{value:.2f}x", "%": f"{value:.0%}"}[unit]
    print(f"  {subject} <= {limit}{against}: {shown}, {mark(value, target)}")


# --- old against new, alternately ---------------------------------------------------------------


@dataclass(frozen=True)
class Side:
    """One commit's worktree and its own scratch files: raw copy, warehouse, DAGSTER_HOMEs."""

    name: str
    repo: Path
    scratch: Path

    @property
    def raw(self) -> Path:
        return self.scratch / "raw"

    @property
    def warehouse(self) -> Path:
        return self.scratch / "warehouse"


def measure_full(side: Side, round_: int) -> dict[str, float]:
    wall = make_run(side.raw, side.warehouse, side.repo, FULL="1")
    timings = latest_timings(side.warehouse)
    # the old stages counted the comparison report in publish
    timings["publish_and_report_seconds"] = timings["publish_seconds"] + timings.get("report_seconds", 0.0)
    return {"make_run": wall, **timings}


def measure_nothing_changed(side: Side, round_: int) -> dict[str, float]:
    return {"nothing_changed": make_run(side.raw, side.warehouse, side.repo)}


def measure_one_file(side: Side, round_: int) -> dict[str, float]:
    change_one_province(side.raw)
    return {"one_file": make_run(side.raw, side.warehouse, side.repo)}


def measure_materialize_all(side: Side, round_: int) -> dict[str, float]:
    change_one_province(side.raw)  # so that it publishes, as make run FULL=1 does
    home = side.scratch / f"dagster_home_{round_}"
    start, success, again = ui_timings(side.raw, side.warehouse, "materialize_all", side.repo, home, again=True)
    return {"ui_start": start, "ui_all": success, "ui_all_again": again}


Measure = Callable[[Side, int], dict[str, float]]
MEASUREMENTS: tuple[tuple[str, Measure], ...] = (
    ("make run FULL=1", measure_full),
    ("make run, nothing changed", measure_nothing_changed),
    ("make run, one province file changed", measure_one_file),
)
UI_MEASUREMENT: tuple[str, Measure] = ('UI "Materialize all"', measure_materialize_all)

COMPARED = (
    ("make run FULL=1, wall", "make_run"),
    ("make run, nothing changed, wall", "nothing_changed"),
    ("make run, one province file changed, wall", "one_file"),
    ('UI "Materialize all": click → run started', "ui_start"),
    ('UI "Materialize all": click → success', "ui_all"),
    ('UI "Materialize all" again, nothing changed: click → success', "ui_all_again"),
    ("dbt build, process start to exit", "dbt_build_wall_seconds"),
    ("dbt build, dbt's own elapsed (nodes)", "dbt_nodes_seconds"),
    ("stage: ingest", "ingest_seconds"),
    ("stage: raw checks", "raw_checks_seconds"),
    ("stage: dbt build step (Dagster)", "dbt_build_step_seconds"),
    ("stage: mart checks", "mart_checks_seconds"),
    ("stage: publish", "publish_seconds"),
    ("stage: report", "report_seconds"),
    ("stage: publish and report", "publish_and_report_seconds"),
    ("Dagster run, first to last event", "run_seconds"),
)
# rows that set one measure of a side against another of the same side (ratios of medians)
COMPARED_RATIOS = (
    ("make run FULL=1 / dbt's own elapsed", "make_run", "dbt_nodes_seconds"),
    ("one file changed / make run FULL=1", "one_file", "make_run"),
    ('UI "Materialize all" / make run FULL=1', "ui_all", "make_run"),
)


def compare_with_base(source: Path, base: Path, repeat: int, ui: bool) -> None:
    """Every measurement in the base worktree and in this one, back to back, on copies of the same
    raw files, the order of the sides alternating per round; a Markdown table of medians and the
    ratio new / old, then this commit's targets."""
    measurements = MEASUREMENTS + ((UI_MEASUREMENT,) if ui else ())
    samples: dict[str, list[dict]] = {"old": [], "new": []}
    with tempfile.TemporaryDirectory(prefix="bench_refresh_") as scratch:
        sides = [Side("old", base.resolve(), Path(scratch) / "old"), Side("new", REPO_ROOT, Path(scratch) / "new")]
        for side in sides:
            shutil.copytree(source, side.raw)
            print(f"warm-up: {side.name} ({side.repo}): make run FULL=1", file=sys.stderr, flush=True)
            make_run(side.raw, side.warehouse, side.repo, FULL="1")
        for round_ in range(repeat):
            order = sides if round_ % 2 == 0 else sides[::-1]
            taken: dict[str, dict] = {side.name: {} for side in sides}
            for label, measure in measurements:
                for side in order:
                    print(f"round {round_ + 1} of {repeat}: {side.name}: {label}", file=sys.stderr, flush=True)
                    taken[side.name].update(measure(side, round_))
            for name, sample in taken.items():
                samples[name].append(sample)
    commits = {side.name: _commit(side.repo) for side in sides}
    print_comparison(source, commits, samples, repeat)
    print_targets_of_new(samples, commits["new"])


def print_comparison(source: Path, commits: dict[str, str], samples: dict[str, list[dict]], repeat: int) -> None:
    print(
        f"`make run` on {source}, old {commits['old']} and new {commits['new']} back to back, the order "
        f"alternating per round, median of {repeat} (seconds)\n"
    )
    print("| measure | old | new | new / old |")
    print("|---|---:|---:|---:|")
    rows = [(label, _median(samples["old"], key), _median(samples["new"], key), 1) for label, key in COMPARED]
    rows += [
        (label, _ratio(samples["old"], num, den), _ratio(samples["new"], num, den), 2)
        for label, num, den in COMPARED_RATIOS
    ]
    for label, old, new, decimals in rows:
        if old is None and new is None:
            continue
        ratio = f"{new / old:.2f}" if old and new else "–"
        print(f"| {label} | {_cell(old, decimals)} | {_cell(new, decimals)} | {ratio} |")


def print_targets_of_new(samples: dict[str, list[dict]], commit: str) -> None:
    old, new = samples["old"], samples["new"]
    dbt_new, dbt_old = _median(new, "dbt_nodes_seconds"), _median(old, "dbt_nodes_seconds")
    print(f"\ntargets of the new commit ({commit}):")
    print_target(
        "full refresh",
        _ratio(new, "make_run", "dbt_nodes_seconds"),
        "full_vs_dbt",
        "x",
        f" dbt's own elapsed ({_cell(dbt_new)} s)",
    )
    print_target(
        "dbt's own elapsed",
        dbt_new / dbt_old if dbt_new and dbt_old else None,
        "dbt_vs_old",
        "%",
        f" of the old commit's ({_cell(dbt_old)} s)",
    )
    print_target("UI click to run start", _median(new, "ui_start"), "ui_start", "s")
    print_target(
        'UI "Materialize all"',
        _ratio(new, "ui_all", "make_run"),
        "ui_all_vs_full",
        "x",
        f" make run FULL=1 ({_cell(_median(new, 'make_run'))} s)",
    )
    print_target("one changed file", _ratio(new, "one_file", "make_run"), "one_file_share", "%", " of a full refresh")


def _median(samples: list[dict], key: str) -> float | None:
    values = [sample[key] for sample in samples if key in sample]
    return statistics.median(values) if values else None


def _ratio(samples: list[dict], numerator: str, denominator: str) -> float | None:
    top, bottom = _median(samples, numerator), _median(samples, denominator)
    return top / bottom if top and bottom else None


def _cell(value: float | None, decimals: int = 1) -> str:
    return "–" if value is None else f"{value:.{decimals}f}"


def _commit(repo: Path) -> str:
    done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=repo, capture_output=True, text=True)
    return done.stdout.strip() or "?"


# --- this commit alone ------------------------------------------------------------------------------


def measure_this_commit(source: Path, repeat: int, ui: bool) -> dict:
    """Full refreshes (with their stages), then nothing-changed runs, then one-file runs, then the
    refresh job launched from the UI, on one copy of the raw files."""
    with tempfile.TemporaryDirectory(prefix="bench_refresh_") as scratch:
        raw, warehouse = Path(scratch) / "raw", Path(scratch) / "warehouse"
        shutil.copytree(source, raw)
        print("warm-up: make run FULL=1", file=sys.stderr, flush=True)
        make_run(raw, warehouse, FULL="1")  # untimed
        full, stages = [], []
        for index in range(repeat):
            print(f"make run FULL=1, {index + 1} of {repeat}", file=sys.stderr, flush=True)
            full.append(make_run(raw, warehouse, FULL="1"))
            stages.append(latest_timings(warehouse))
        print("make run, nothing changed", file=sys.stderr, flush=True)
        unchanged = [make_run(raw, warehouse) for _ in range(repeat)]
        one_file = []
        for index in range(repeat):
            print(f"make run, one province file changed, {index + 1} of {repeat}", file=sys.stderr, flush=True)
            change_one_province(raw)
            one_file.append(make_run(raw, warehouse))
        measured = {"full": full, "stages": stages, "unchanged": unchanged, "one_file": one_file, "ui": None}
        if ui:
            print("UI: the refresh_warehouse job", file=sys.stderr, flush=True)
            measured["ui"] = ui_timings(raw, warehouse)
        return measured


def print_this_commit(source: Path, repeat: int, measured: dict) -> None:
    median = statistics.median
    full, stages = measured["full"], measured["stages"]
    print(f"Refresh on the users' path: `make run` on {source}, warm, median of {repeat}")
    print(f"{'':34}{'median s':>10}{'min s':>8}{'max s':>8}")
    for label, values in (
        ("full refresh (make run FULL=1)", full),
        ("nothing changed (make run)", measured["unchanged"]),
        ("one province file changed", measured["one_file"]),
    ):
        print(f"{label:34}{median(values):>10.1f}{min(values):>8.1f}{max(values):>8.1f}")
    print("\nstages of the full refresh (median s):")
    for key in [k for k in stages[0] if k != "total_seconds"]:
        print(f"  {key.removesuffix('_seconds').replace('_', ' '):30}{median(s[key] for s in stages):>8.1f}")
    print_targets_of_this_commit(measured)


def print_targets_of_this_commit(measured: dict) -> None:
    median = statistics.median
    full, ui = median(measured["full"]), measured["ui"]
    dbt = median(s["dbt_nodes_seconds"] for s in measured["stages"])
    print("\ntargets:")
    print_target("full refresh", full, "full", "s")
    print_target("full refresh", full / dbt, "full_vs_dbt", "x", f" dbt's own elapsed ({dbt:.1f} s)")
    print_target("nothing changed", median(measured["unchanged"]), "nothing_changed", "s")
    share = median(measured["one_file"]) / full
    print_target("one changed file", share, "one_file_share", "%", " of a full refresh")
    if ui:
        print_target("UI click to run start", ui[0], "ui_start", "s")
        print_target("UI full refresh", ui[1], "ui_full", "s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--ui",
        action="store_true",
        help='also time a run launched through the webserver (with --base: "Materialize all")',
    )
    parser.add_argument("--base", type=Path, help="a worktree of the commit to compare with, run alternately")
    args = parser.parse_args()
    source = Path(os.environ.get("RAW_DIR") or REPO_ROOT.parent / "shared" / "data" / "yearbook").resolve()
    if args.base:
        compare_with_base(source, args.base, args.repeat, args.ui)
        return
    print_this_commit(source, args.repeat, measure_this_commit(source, args.repeat, args.ui))


if __name__ == "__main__":
    main()
