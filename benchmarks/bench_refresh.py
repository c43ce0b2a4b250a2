"""Refresh benchmark on the users' path: `make run` itself, timed from outside, on the real extracts.

    make bench                                  # RAW_DIR defaults to ../shared/data/yearbook
    python benchmarks/bench_refresh.py [--repeat 3] [--ui]
    python benchmarks/bench_refresh.py --base ../wt-base [--repeat 3]   # old vs this, alternately

Each measured command is the one a user types, in a scratch WAREHOUSE_DIR, warm (the venv, the dbt
manifest and the OS file cache are ready; one untimed refresh first):

- full refresh:       `make run FULL=1`: every file parsed, dbt build with all its tests, every
                      Great Expectations suite (expectations/*.json), the validation report, the comparison with the
                      current publication and the publish;
- nothing changed:    `make run` with the same files;
- one changed file:   `make run` after one province's Wind export changed (one cell, +0.1 %);
- with --ui:          `dagster dev` started on a free port; the refresh job launched through the
                      GraphQL API the UI uses: click to run start, and click to success.

For the full refresh it prints the stages from the run's own timings (the Dagster event log) next
to dbt's own time for `dbt build` in the same run (process start to exit, and the part dbt reports
for executing its nodes). Prints numbers; asserts nothing about them.

With --base (a worktree of another commit, e.g. `git worktree add ../wt-base <commit>` with its
.venv linked), it runs `make run FULL=1` in that worktree and in this one alternately, one warm-up
each, and prints a Markdown table of medians, old against new, with their ratio (the table in
docs/benchmarks.md). On a shared machine only such same-sitting ratios are worth comparing.
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
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

TARGETS = {
    "full": 15.0,
    "full_vs_dbt": 1.5,
    "nothing_changed": 5.0,
    "one_file_share": 0.60,
    "ui_start": 10.0,
    "ui_full": 25.0,
}


def make_run(raw: Path, warehouse: Path, repo: Path = REPO_ROOT, **extra: str) -> float:
    env = {**os.environ, "RAW_DIR": str(raw), "WAREHOUSE_DIR": str(warehouse), **extra}
    started = time.perf_counter()
    done = subprocess.run(["make", "-s", "run"], cwd=repo, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"make run failed:\n{done.stderr[-3000:]}")
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


def ui_timings(raw: Path, warehouse: Path) -> tuple[float, float]:
    """Click (the launch mutation the UI sends) to run start, and click to success."""
    from tests.webserver_client import dagster_dev

    with dagster_dev(raw, warehouse, warehouse.parent / "dagster_home_bench") as (server, location, _):
        config = {"ops": {"publish__publication": {"config": {"allow_changes": True}}}}
        clicked = time.time()
        run = server.launch(location, "refresh_warehouse", run_config=config)
        status = server.wait(run)
        finished = time.time()
        started = server.query("query($id: ID!) { runOrError(runId: $id) { ... on Run { startTime } } }", {"id": run})[
            "runOrError"
        ]["startTime"]
    if status != "SUCCESS":
        raise SystemExit(f"UI refresh ended {status}")
    return started - clicked, finished - clicked


def mark(value: float, target: float) -> str:
    return "met" if value <= target else "NOT met"


COMPARED = (
    ("make run FULL=1, wall", "make_run"),
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


def compare_with_base(source: Path, base: Path, repeat: int) -> None:
    """`make run FULL=1` in the base worktree and in this one, alternately, on copies of the same
    raw files; a Markdown table of medians and the ratio new / old."""
    sides = {"old": base.resolve(), "new": REPO_ROOT}
    samples: dict[str, list[dict]] = {"old": [], "new": []}
    with tempfile.TemporaryDirectory(prefix="bench_refresh_") as scratch:
        raw = Path(scratch) / "raw"
        shutil.copytree(source, raw)
        for side, repo in sides.items():
            print(f"warm-up: {side} ({repo})", file=sys.stderr)
            make_run(raw, Path(scratch) / side, repo, FULL="1")
        for round_ in range(repeat):
            for side, repo in sides.items() if round_ % 2 == 0 else reversed(sides.items()):
                print(f"round {round_ + 1} of {repeat}: {side}", file=sys.stderr)
                wall = make_run(raw, Path(scratch) / side, repo, FULL="1")
                timings = latest_timings(Path(scratch) / side)
                # the old stages counted the comparison report in publish
                timings["publish_and_report_seconds"] = timings["publish_seconds"] + timings.get("report_seconds", 0.0)
                samples[side].append({"make_run": wall, **timings})
    median = statistics.median
    commits = {side: _commit(repo) for side, repo in sides.items()}
    print(
        f"`make run FULL=1` on {source}, old {commits['old']} and new {commits['new']} alternately, "
        f"median of {repeat} (seconds)\n"
    )
    print("| measure | old | new | new / old |")
    print("|---|---:|---:|---:|")
    for label, key in COMPARED:
        old = [s[key] for s in samples["old"] if key in s]
        new = [s[key] for s in samples["new"] if key in s]
        if not old and not new:
            continue
        o, n = (median(old) if old else None), (median(new) if new else None)
        ratio = f"{n / o:.2f}" if o and n else "–"
        print(f"| {label} | {_cell(o)} | {_cell(n)} | {ratio} |")


def _cell(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


def _commit(repo: Path) -> str:
    done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=repo, capture_output=True, text=True)
    return done.stdout.strip() or "?"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--ui", action="store_true", help="also time a refresh launched through the webserver")
    parser.add_argument("--base", type=Path, help="a worktree of the commit to compare with, run alternately")
    args = parser.parse_args()
    source = Path(os.environ.get("RAW_DIR") or REPO_ROOT.parent / "shared" / "data" / "yearbook").resolve()
    if args.base:
        compare_with_base(source, args.base, args.repeat)
        return
    with tempfile.TemporaryDirectory(prefix="bench_refresh_") as scratch:
        raw, warehouse = Path(scratch) / "raw", Path(scratch) / "warehouse"
        shutil.copytree(source, raw)
        make_run(raw, warehouse, FULL="1")  # warm-up, untimed
        full, stages = [], []
        for _ in range(args.repeat):
            full.append(make_run(raw, warehouse, FULL="1"))
            stages.append(latest_timings(warehouse))
        unchanged = [make_run(raw, warehouse) for _ in range(args.repeat)]
        one_file = []
        for _ in range(args.repeat):
            change_one_province(raw)
            one_file.append(make_run(raw, warehouse))
        ui = ui_timings(raw, warehouse) if args.ui else None

    median = statistics.median
    print(f"Refresh on the users' path: `make run` on {source} (184 files), warm, median of {args.repeat}")
    print(f"{'':34}{'median s':>10}{'min s':>8}{'max s':>8}")
    for label, values in (
        ("full refresh (make run FULL=1)", full),
        ("nothing changed (make run)", unchanged),
        ("one province file changed", one_file),
    ):
        print(f"{label:34}{median(values):>10.1f}{min(values):>8.1f}{max(values):>8.1f}")
    print("\nstages of the full refresh (median s):")
    keys = [k for k in stages[0] if k != "total_seconds"]
    for key in keys:
        print(f"  {key.removesuffix('_seconds').replace('_', ' '):30}{median(s[key] for s in stages):>8.1f}")
    dbt = median(s["dbt_build_wall_seconds"] for s in stages)
    print("\ntargets:")
    print(f"  full refresh <= {TARGETS['full']:.0f} s: {median(full):.1f} s, {mark(median(full), TARGETS['full'])}")
    ratio = median(full) / dbt
    print(
        f"  full refresh <= {TARGETS['full_vs_dbt']}x dbt's own build ({dbt:.1f} s): {ratio:.2f}x, "
        f"{mark(ratio, TARGETS['full_vs_dbt'])}"
    )
    print(
        f"  nothing changed <= {TARGETS['nothing_changed']:.0f} s: {median(unchanged):.1f} s, "
        f"{mark(median(unchanged), TARGETS['nothing_changed'])}"
    )
    share = median(one_file) / median(full)
    print(
        f"  one changed file <= {TARGETS['one_file_share']:.0%} of a full refresh: {share:.0%}, "
        f"{mark(share, TARGETS['one_file_share'])}"
    )
    if ui:
        print(
            f"  UI click to run start <= {TARGETS['ui_start']:.0f} s: {ui[0]:.1f} s, {mark(ui[0], TARGETS['ui_start'])}"
        )
        print(f"  UI full refresh <= {TARGETS['ui_full']:.0f} s: {ui[1]:.1f} s, {mark(ui[1], TARGETS['ui_full'])}")


if __name__ == "__main__":
    main()
