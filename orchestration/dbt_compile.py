"""dbt's compiled SQL of every model, exactly as `dbt build` runs it: for a comparison pair computed
at report time (report/pair_compute.py), the known-answer tests and the metric benchmark. One
way of calling `dbt compile`, so all three read the same SQL."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from .core.paths import DBT_PROJECT_DIR


def compile_models(target: Path, scratch_warehouse: Path, dbt_vars: dict | None = None) -> subprocess.CompletedProcess:
    """`dbt compile` of the models into `target`. dbt opens the profile's database even to compile:
    `scratch_warehouse` holds a throwaway one, never the build database. The caller checks the
    return code (and says what failed in its own words)."""
    scratch_warehouse.mkdir(parents=True, exist_ok=True)
    command = [str(Path(sys.executable).parent / "dbt"), "compile", "--profiles-dir", ".", "--target-path", str(target)]
    command += ["--quiet", "--select", "resource_type:model"]
    if dbt_vars:
        command += ["--vars", json.dumps(dbt_vars)]
    return subprocess.run(
        command,
        cwd=DBT_PROJECT_DIR,
        env={**os.environ, "WAREHOUSE_DIR": str(scratch_warehouse), "DBT_USE_COLORS": "false"},
        capture_output=True,
        text=True,
    )


def compiled_sql(target: Path) -> dict[str, str]:
    """Model name -> its compiled SQL, from a target `compile_models` wrote."""
    return {
        path.stem: path.read_text(encoding="utf-8")
        for path in (target / "compiled" / "regional_structure" / "models").rglob("*.sql")
    }
