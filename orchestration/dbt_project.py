"""The dbt project handle, kept apart from the assets so preparing it imports nothing else."""

from dagster_dbt import DbtProject

from .settings import DBT_PROJECT_DIR

# The manifest (target/manifest.json) is prepared by `make` (`dbt parse`, whenever a model, seed or
# WAREHOUSE_DIR changed) before any entry point starts, `make ui` included. dagster-dbt's
# prepare_if_dev() would parse again on import in every process `dagster dev` starts — the code
# server and each run's worker, where it delayed a run's start by several seconds
# (docs/benchmarks.md) — so it is not called.
warehouse_dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
