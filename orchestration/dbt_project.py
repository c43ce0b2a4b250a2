"""The dbt project handle, kept apart from the assets so preparing it imports nothing else."""

from dagster_dbt import DbtProject

from .settings import DBT_PROJECT_DIR

warehouse_dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
# Parses only under `dagster dev`; `make` runs `dbt parse` for every other entry point.
warehouse_dbt_project.prepare_if_dev()
