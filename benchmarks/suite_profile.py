"""Where the test suite's time goes: a pytest plugin that records, for each test, its wall time, the
machine's CPU over it and the dbt builds it started, and prints the files' totals at the end.

    PYTHONPATH=benchmarks .venv/bin/python -m pytest -p suite_profile -m "not spark"

Run it in one process (no `-n`): the CPU is the machine's, read from /proc/stat, because the dbt
builds are forks of a fork server that no test process reaps; with two workers each test would
count the other's. A build is a `run_results.json` written under dbt_project/target during the
test; a full build is one that selected the whole project (dagster-dbt's `fqn:*`). Builds of a
clone's own checkout (the Quick start) are not seen. With SUITE_PROFILE_FILE set, each test's
line is also appended to that file (JSON lines).
"""

from __future__ import annotations

import json
import os
import time
from collections import defaultdict
from pathlib import Path

TARGET = Path(__file__).resolve().parent.parent / "dbt_project" / "target"
_started: dict[str, tuple[float, float, set[Path]]] = {}
_rows: list[dict] = []


def _machine_cpu() -> float:
    """Seconds of CPU the whole machine has used (user, nice, system, irq, softirq, steal)."""
    with open("/proc/stat", encoding="ascii") as stat:
        ticks = [int(v) for v in stat.readline().split()[1:]]
    idle, iowait = ticks[3], ticks[4]
    return (sum(ticks) - idle - iowait) / os.sysconf("SC_CLK_TCK")


def _run_results() -> set[Path]:
    return set(TARGET.glob("warehouse_dbt_models-*/run_results.json"))


def _full_builds(paths: set[Path]) -> int:
    full = 0
    for path in paths:
        try:
            args = json.loads(path.read_text(encoding="utf-8")).get("args", {})
        except (OSError, ValueError):
            continue  # written by a build still running
        full += args.get("select") == ["fqn:*"]
    return full


def pytest_runtest_logstart(nodeid, location):
    _started[nodeid] = (time.monotonic(), _machine_cpu(), _run_results())


def pytest_runtest_logfinish(nodeid, location):
    wall0, cpu0, before = _started.pop(nodeid)
    new = _run_results() - before
    row = {
        "test": nodeid,
        "wall": round(time.monotonic() - wall0, 2),
        "cpu": round(_machine_cpu() - cpu0, 2),
        "dbt_builds": len(new),
        "full_builds": _full_builds(new),
    }
    _rows.append(row)
    if os.environ.get("SUITE_PROFILE_FILE"):
        with open(os.environ["SUITE_PROFILE_FILE"], "a", encoding="utf-8") as out:
            out.write(json.dumps(row) + "\n")


def pytest_terminal_summary(terminalreporter):
    if not _rows:
        return
    files: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0, 0])
    for row in _rows:
        total = files[row["test"].split("::")[0]]
        total[0] += row["cpu"]
        total[1] += row["wall"]
        total[2] += row["full_builds"]
        total[3] += row["dbt_builds"]
    terminalreporter.section("where the suite's time goes (machine CPU per file)")
    terminalreporter.write_line(f"{'file':<44} {'CPU s':>8} {'wall s':>8} {'full builds':>12} {'dbt builds':>11}")
    for name, (cpu, wall, full, builds) in sorted(files.items(), key=lambda item: -item[1][0]):
        terminalreporter.write_line(f"{name:<44} {cpu:>8.1f} {wall:>8.1f} {full:>12} {builds:>11}")
    cpu = sum(row["cpu"] for row in _rows)
    wall = sum(row["wall"] for row in _rows)
    full = sum(row["full_builds"] for row in _rows)
    terminalreporter.write_line(f"{'all':<44} {cpu:>8.1f} {wall:>8.1f} {full:>12}")
