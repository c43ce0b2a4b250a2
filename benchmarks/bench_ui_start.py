"""A click in the Dagster UI to the run's start, and to its end.

Starts `dagster dev` over a copy of the samples the way `make ui` does, launches the
refresh_warehouse job through the GraphQL mutation the UI sends, and prints the seconds from the
launch to the run's start (its startTime) and to its end. To compare two commits in one sitting,
run it alternately from each checkout (docs/benchmarks.md, "A click in the UI starts the run"):

    python benchmarks/bench_ui_start.py [--rounds N]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from orchestration.settings import REPO_ROOT
from tests.webserver_client import dagster_dev

RUN_CONFIG = {"ops": {"publish__publication": {"config": {"allow_changes": True}}}}


def one_round(root: Path, raw: Path, index: int) -> tuple[float, float, str]:
    with dagster_dev(raw, root / f"warehouse{index}", root / f"dagster_home{index}") as (server, location, _):
        clicked = time.time()
        run = server.launch(location, "refresh_warehouse", run_config=RUN_CONFIG)
        status = server.wait(run)
        finished = time.time()
        started = server.query("query($id: ID!) { runOrError(runId: $id) { ... on Run { startTime } } }", {"id": run})[
            "runOrError"
        ]["startTime"]
    return started - clicked, finished - clicked, status


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=1)
    rounds = parser.parse_args().rounds
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        raw = root / "raw"
        shutil.copytree(REPO_ROOT / "raw", raw)
        for index in range(rounds):
            print(f"round {index + 1}: starting dagster dev on the samples ({REPO_ROOT.name})", flush=True)
            start, end, status = one_round(root, raw, index)
            print(f"  click -> run started {start:.1f} s, click -> {status} {end:.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
