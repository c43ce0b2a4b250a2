"""Full-refresh benchmark on the real extracts: wall time per stage and peak memory.

    make bench                       # RAW_DIR defaults to ../shared/data/yearbook
    RAW_DIR=... python benchmarks/bench_refresh.py [--repeat 3]

Runs the same code the refresh job runs, stage by stage, in a scratch warehouse directory:
parse (catalogue + Wind parser, written to raw), dbt (`dbt build`: seeds, models, tests) and
publish (copy + atomic rename). Prints numbers; asserts nothing about them.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from orchestration.ingest.assets import _write_raw  # noqa: E402
from orchestration.ingest.catalogue import Catalogue  # noqa: E402
from orchestration.ingest.load import load_family  # noqa: E402
from orchestration.publish import publish_warehouse  # noqa: E402
from orchestration.settings import DBT_PROJECT_DIR, Settings  # noqa: E402


def peak_mib(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # Linux reports KiB


def one_refresh(settings: Settings) -> dict[str, float]:
    import duckdb

    timings = {}
    started = time.perf_counter()
    catalogue = Catalogue.load()
    files = catalogue.files_of(settings.raw_dir)
    with duckdb.connect(str(settings.build_db)) as con:
        for key, family in catalogue.families.items():
            _write_raw(con, family, load_family(family, files[key], settings.raw_dir))
    timings["parse"] = time.perf_counter() - started

    started = time.perf_counter()
    dbt = Path(sys.executable).parent / "dbt"
    subprocess.run([str(dbt), "build", "--profiles-dir", ".", "--quiet"], cwd=DBT_PROJECT_DIR, check=True,
                   env={**os.environ, "WAREHOUSE_DIR": str(settings.warehouse_dir)})
    timings["dbt"] = time.perf_counter() - started

    started = time.perf_counter()
    publish_warehouse(settings.build_db, settings.published_db)
    timings["publish"] = time.perf_counter() - started
    timings["total"] = sum(timings.values())
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    raw_dir = Settings.from_env().raw_dir
    runs = []
    with tempfile.TemporaryDirectory(prefix="bench_wh_") as scratch:
        settings = Settings(raw_dir=raw_dir, warehouse_dir=Path(scratch))
        for _ in range(args.repeat):
            for leftover in Path(scratch).glob("*.duckdb"):
                leftover.unlink()
            runs.append(one_refresh(settings))
        size = settings.published_db.stat().st_size / 2**20
    print(f"full refresh from {raw_dir} ({args.repeat} runs, fresh warehouse each)")
    print(f"{'stage':<10}{'median s':>10}{'min s':>10}{'max s':>10}")
    for stage in ("parse", "dbt", "publish", "total"):
        values = [r[stage] for r in runs]
        print(f"{stage:<10}{statistics.median(values):>10.2f}{min(values):>10.2f}{max(values):>10.2f}")
    print(f"peak memory: this process {peak_mib(resource.RUSAGE_SELF):.0f} MiB, "
          f"largest child (dbt) {peak_mib(resource.RUSAGE_CHILDREN):.0f} MiB")
    print(f"published file: {size:.1f} MiB")


if __name__ == "__main__":
    main()
