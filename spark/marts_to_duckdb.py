"""Copy the marts a Spark build wrote as Parquet into one DuckDB file.

    python spark/marts_to_duckdb.py --warehouse warehouse/spark/warehouse --out warehouse/spark/marts_from_spark.duckdb

The file holds one table per mart, as the published marts.duckdb does, for users who query DuckDB.
It is not a publication: the Great Expectations gates, the publication guard and the manifest
run only in the DuckDB refresh (docs/operations.md "Running on Spark").
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import duckdb


def copy_marts(spark_warehouse: Path, out: Path, schema: str = "marts") -> list[str]:
    """Each table directory under <warehouse>/<schema>.db/ holding Parquet files becomes a table of
    `out` (replaced if it exists); returns the table names."""
    tables = sorted(path.name for path in (spark_warehouse / f"{schema}.db").iterdir() if any(path.glob("*.parquet")))
    out.unlink(missing_ok=True)
    with duckdb.connect(str(out)) as connection:
        for table in tables:
            files = str(spark_warehouse / f"{schema}.db" / table / "*.parquet").replace("'", "''")
            connection.execute(f"create table \"{table}\" as select * from read_parquet('{files}')")
    return tables


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, required=True, help="the Spark warehouse directory")
    parser.add_argument("--out", type=Path, required=True, help="the DuckDB file to write")
    args = parser.parse_args()
    tables = copy_marts(args.warehouse, args.out)
    print(f"{len(tables)} marts from {args.warehouse} in {args.out} (not a publication)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
