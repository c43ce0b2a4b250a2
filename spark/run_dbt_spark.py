"""Build the dbt project on Spark from the inputs of a DuckDB build (make test-spark).

Runs in its own virtual environment (.venv-spark: dbt-spark, pyspark, duckdb; spark/requirements.txt),
never the project's. Ingest stays in Python and DuckDB: this script writes the raw tables of a
DuckDB build file as Parquet, then runs `dbt build --target spark` (profiles.yml), whose
on-run-start hook registers the Parquet files as the raw source tables. The models land as
Parquet tables under <out>/warehouse/<schema>.db/<model>/, which DuckDB reads.

    .venv-spark/bin/python spark/run_dbt_spark.py --duckdb warehouse/build.duckdb --out warehouse/spark
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

import duckdb

PROJECT_DIR = Path(__file__).resolve().parent.parent / "dbt_project"


# The build file's schemas that hold inputs: the ingest assets' raw tables and dbt's seeds.
INPUT_SCHEMAS = ("raw", "reference")


def export_inputs(duckdb_file: Path, input_dir: Path) -> list[str]:
    """Every table of the build file's input schemas as <input_dir>/<schema>/<table>/data.parquet
    (a directory per table, as Spark expects a table's location to be)."""
    shutil.rmtree(input_dir, ignore_errors=True)
    with duckdb.connect(str(duckdb_file), read_only=True) as connection:
        tables = connection.execute(
            "select schema_name, table_name from duckdb_tables() where schema_name in ? order by all",
            [list(INPUT_SCHEMAS)],
        ).fetchall()
        for schema, table in tables:
            (input_dir / schema / table).mkdir(parents=True)
            target = str(input_dir / schema / table / "data.parquet").replace("'", "''")
            connection.execute(f'copy "{schema}"."{table}" to \'{target}\' (format parquet)')
    return [f"{schema}.{table}" for schema, table in tables]


def enable_ansi_mode() -> None:
    """dbt-spark 1.11 sets spark.sql.ansi.enabled=false on every statement (SparkCredentials,
    "compatibility with Spark v3 and v4"). With ANSI off Spark turns an invalid cast into a NULL;
    with it on the cast is an error, which is what an engine comparison needs to see."""
    from dbt.adapters.spark.connections import SparkCredentials

    original = SparkCredentials.__post_init__

    def post_init(self) -> None:
        original(self)
        self.server_side_parameters["spark.sql.ansi.enabled"] = "true"

    SparkCredentials.__post_init__ = post_init


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duckdb", type=Path, required=True, help="a DuckDB build file (its raw schema is read)")
    parser.add_argument("--out", type=Path, required=True, help="Spark inputs, warehouse and dbt target go here")
    parser.add_argument("--project-dir", type=Path, default=PROJECT_DIR, help="the dbt project to build")
    parser.add_argument("--no-ansi", action="store_true", help="leave ANSI mode off, as dbt-spark sets it")
    parser.add_argument("--command", default="build", choices=["build", "run"], help="the dbt command (default build)")
    # anything else goes to dbt (e.g. --select +fct_industry_indicator)
    args, dbt_args = parser.parse_known_args()

    out = args.out.resolve()
    tables = export_inputs(args.duckdb.resolve(), out / "inputs")
    print(f"wrote {len(tables)} input tables as Parquet to {out / 'inputs'}", flush=True)
    shutil.rmtree(out / "warehouse", ignore_errors=True)
    os.environ["SPARK_INPUT_DIR"] = str(out / "inputs")
    os.environ["SPARK_WAREHOUSE_DIR"] = str(out / "warehouse")
    os.environ.setdefault("DBT_USE_COLORS", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    # The JVM's own scratch files (Derby is not used: the catalog is in memory).
    os.chdir(out)
    if not args.no_ansi:
        enable_ansi_mode()

    from dbt.cli.main import dbtRunner

    result = dbtRunner().invoke(
        [
            args.command,
            "--target",
            "spark",
            "--project-dir",
            str(args.project_dir.resolve()),
            "--profiles-dir",
            str(args.project_dir.resolve()),
            "--target-path",
            str(out / "target"),
            "--log-path",
            str(out / "logs"),
            # the seeds arrive with the raw tables (macros/portable/register_inputs.sql)
            "--exclude",
            "resource_type:seed",
            *dbt_args,
        ]
    )
    return 0 if result.success else 1


if __name__ == "__main__":
    sys.exit(main())
