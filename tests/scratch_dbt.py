"""A throwaway dbt project on DuckDB holding one of the project's macros, for tests of that macro
alone, run in the test's process with dbt's programmatic runner."""

from __future__ import annotations

import shutil
from pathlib import Path

from orchestration.settings import DBT_PROJECT_DIR


def scratch_project(root: Path, macros: str | tuple[str, ...], models: dict[str, str]) -> Path:
    """root/project with dbt_project/macros/<macro> (each of `macros`) and the given files under
    models/; its DuckDB file is root/build.duckdb."""
    project = root / "project"
    (project / "models").mkdir(parents=True)
    (project / "macros").mkdir()
    for macro in (macros,) if isinstance(macros, str) else macros:
        shutil.copy(DBT_PROJECT_DIR / "macros" / macro, project / "macros")
    (project / "dbt_project.yml").write_text(
        "name: scratch\nversion: '1.0.0'\nconfig-version: 2\nprofile: scratch\n", encoding="utf-8"
    )
    (project / "profiles.yml").write_text(
        "scratch:\n  target: build\n  outputs:\n    build:\n"
        f"      type: duckdb\n      path: {root / 'build.duckdb'}\n      threads: 1\n",
        encoding="utf-8",
    )
    for name, text in models.items():
        (project / "models" / name).write_text(text, encoding="utf-8")
    return project


def invoke(project: Path, command: str, **dbt_vars):
    """`dbt <command>` on the project in this process: dbt's result object."""
    from dbt.cli.main import dbtRunner

    args = [command, "--project-dir", str(project), "--profiles-dir", str(project), "--no-partial-parse", "--quiet"]
    if dbt_vars:
        args += ["--vars", repr(dbt_vars)]
    return dbtRunner().invoke(args)
