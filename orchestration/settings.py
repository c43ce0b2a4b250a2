"""One settings object, read from the environment, shared by Dagster and dbt.

dbt's ``profiles.yml`` reads the same variables (``WAREHOUSE_DIR``), so both sides always point at
the same DuckDB file. ``export_to_environ`` makes the paths absolute before dbt is started, because
dbt runs with its project directory as working directory.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
SOURCE_CATALOGUE = REPO_ROOT / "orchestration" / "ingest" / "sources.yml"

BUILD_DB_NAME = "build.duckdb"
PUBLISHED_DB_NAME = "marts.duckdb"


@dataclass(frozen=True)
class Settings:
    raw_dir: Path
    warehouse_dir: Path

    @classmethod
    def from_env(cls) -> "Settings":
        raw = Path(os.environ.get("RAW_DIR") or REPO_ROOT / "raw")
        warehouse = Path(os.environ.get("WAREHOUSE_DIR") or REPO_ROOT / "warehouse")
        # Relative paths are taken from the repository root, whatever the caller's cwd.
        raw = raw if raw.is_absolute() else REPO_ROOT / raw
        warehouse = warehouse if warehouse.is_absolute() else REPO_ROOT / warehouse
        return cls(raw_dir=raw.resolve(), warehouse_dir=warehouse.resolve())

    @property
    def build_db(self) -> Path:
        """The working database every writing step uses, one at a time."""
        return self.warehouse_dir / BUILD_DB_NAME

    @property
    def published_db(self) -> Path:
        """The file users query; replaced atomically by the publish step."""
        return self.warehouse_dir / PUBLISHED_DB_NAME

    def export_to_environ(self) -> None:
        self.warehouse_dir.mkdir(parents=True, exist_ok=True)
        os.environ["RAW_DIR"] = str(self.raw_dir)
        os.environ["WAREHOUSE_DIR"] = str(self.warehouse_dir)
