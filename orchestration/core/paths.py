"""Where the repository's own files are: computed from this file's place, never from the working
directory, so every entry point (make, dagster dev, pytest, a notebook) names the same files."""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent.parent
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
SOURCE_CATALOGUE = REPO_ROOT / "orchestration" / "ingest" / "sources.yml"
SAMPLE_RAW_DIR = REPO_ROOT / "raw"
