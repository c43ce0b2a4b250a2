"""Refresh benchmark on the users' path: `make run` itself, timed from outside, on the real extracts.

    make bench                                  # RAW_DIR defaults to ../shared/data/yearbook
    python benchmarks/bench_refresh.py [--repeat 3] [--ui]

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


def make_run(raw: Path, warehouse: Path, **extra: str) -> float:
    env = {**os.environ, "RAW_DIR": str(raw), "WAREHOUSE_DIR": str(warehouse), **extra}
    started = time.perf_counter()
    done = subprocess.run(["make", "-s", "run"], cwd=REPO_ROOT, env=env, capture_output=True, text=True)
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
        config = {"ops": {"published__marts_file": {"config": {"allow_changes": True}}}}
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--ui", action="store_true", help="also time a refresh launched through the webserver")
    args = parser.parse_args()
    source = Path(os.environ.get("RAW_DIR") or REPO_ROOT.parent / "shared" / "data" / "yearbook").resolve()
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
