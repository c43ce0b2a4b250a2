"""Resources, all built from the one Settings object."""

from __future__ import annotations

import sys
from pathlib import Path

import dagster as dg
import duckdb
from dagster_dbt import DbtCliResource

from .dbt_project import warehouse_dbt_project
from .settings import Settings


class WarehouseResource(dg.ConfigurableResource):
    """Where the warehouse lives. Every writing step opens the build database itself, one step
    at a time (the refresh job runs in one process), because DuckDB allows a single writer."""

    raw_dir: str
    warehouse_dir: str

    @property
    def settings(self) -> Settings:
        return Settings(raw_dir=Path(self.raw_dir), warehouse_dir=Path(self.warehouse_dir))

    def connect_build(self, read_only: bool = False) -> duckdb.DuckDBPyConnection:
        self.settings.warehouse_dir.mkdir(parents=True, exist_ok=True)
        return duckdb.connect(str(self.settings.build_db), read_only=read_only)


def build_resources(settings: Settings) -> dict:
    settings.export_to_environ()  # dbt's profiles.yml reads WAREHOUSE_DIR
    return {
        "warehouse": WarehouseResource(raw_dir=str(settings.raw_dir), warehouse_dir=str(settings.warehouse_dir)),
        # The dbt installed beside this interpreter, whether or not the venv is on PATH.
        "dbt": DbtCliResource(project_dir=warehouse_dbt_project, dbt_executable=str(Path(sys.executable).parent / "dbt")),
    }
