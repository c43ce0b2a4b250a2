"""A click in the Dagster UI to the run's start, and to its end, on the samples.

The measurement is bench_refresh.py's `ui_timings` (`dagster dev` as `make ui` starts it, the
refresh_warehouse job launched through the GraphQL mutation the UI sends), on a copy of the
samples, so that it takes a minute rather than a real refresh. To compare two commits in one
sitting, run it alternately from each checkout (docs/benchmarks.md, "A click in the UI starts the
run"):

    python benchmarks/bench_ui_start.py [--rounds N]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.bench_refresh import ui_timings
from orchestration.settings import REPO_ROOT


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
            start, end = ui_timings(raw, root / f"warehouse{index}")
            print(f"  click -> run started {start:.1f} s, click -> success {end:.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
