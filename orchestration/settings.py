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
SAMPLE_RAW_DIR = REPO_ROOT / "raw"

BUILD_DB_NAME = "build.duckdb"
PUBLISHED_DB_NAME = "marts.duckdb"
DEFAULT_KEEP_VERSIONS = 5


class SettingsError(ValueError):
    """A setting that cannot be used; raised before anything runs."""


@dataclass(frozen=True)
class Settings:
    raw_dir: Path
    warehouse_dir: Path

    @classmethod
    def from_env(cls) -> Settings:
        raw = Path(os.environ.get("RAW_DIR") or SAMPLE_RAW_DIR)
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

    @property
    def is_sample_raw_dir(self) -> bool:
        return self.raw_dir == SAMPLE_RAW_DIR.resolve()

    def validate(self) -> None:
        """Every setting checked before the first step, so a bad one never fails half-way."""
        keep_versions()
        if not self.raw_dir.is_dir():
            raise SettingsError(
                f"RAW_DIR {self.raw_dir} is not a directory: set RAW_DIR to the folder "
                "holding the yearbook extracts (e.g. ../shared/data/yearbook)."
            )
        if self.warehouse_dir.exists() and not self.warehouse_dir.is_dir():
            raise SettingsError(f"WAREHOUSE_DIR {self.warehouse_dir} exists and is not a directory.")
        probe = self.warehouse_dir if self.warehouse_dir.exists() else self.warehouse_dir.parent
        if probe.exists() and not os.access(probe, os.W_OK):
            raise SettingsError(
                f"WAREHOUSE_DIR {self.warehouse_dir} is not writable by this user: the build "
                "database and the published file live there."
            )

    def export_to_environ(self) -> None:
        self.warehouse_dir.mkdir(parents=True, exist_ok=True)
        os.environ["RAW_DIR"] = str(self.raw_dir)
        os.environ["WAREHOUSE_DIR"] = str(self.warehouse_dir)


def keep_versions() -> int:
    """PUBLISH_KEEP_VERSIONS: how many published versions to keep (a whole number, at least 1)."""
    text = os.environ.get("PUBLISH_KEEP_VERSIONS", "").strip()
    if not text:
        return DEFAULT_KEEP_VERSIONS
    if not text.isdigit() or int(text) < 1:
        raise SettingsError(
            f"PUBLISH_KEEP_VERSIONS={text!r} is not a whole number of at least 1: it says how "
            "many published versions to keep in WAREHOUSE_DIR/versions (default "
            f"{DEFAULT_KEEP_VERSIONS})."
        )
    return int(text)
