"""Row-by-row comparison of two builds of the same table (make test-spark: DuckDB against Spark).

Both sides are read through DuckDB: a table of a DuckDB file, or the Parquet files Spark wrote.
Two tables agree when they have the same columns, the same number of rows and, row for row in a
canonical order, the same values: nulls in the same places, strings and integers equal, floating
point numbers within a relative tolerance, lists equal element by element in their order.

Rows are put in order by every non-floating column first (the table's key among them), then by
the floating ones, so two engines' rounding differences in the last bits cannot misalign rows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import duckdb

# Floating-point values agree within 1e-9 relative (issue 13) or 1e-9 absolute. The absolute
# bound is for values that are zero in exact arithmetic: a difference of two totals of 10^5 (亿元,
# persons) carries rounding noise of 10^-11 whose size and sign depend on the order of summation,
# e.g. a shift-share component of an industry-less change (DuckDB -5.8e-11, Spark 0.0). 1e-9 is a
# tenth of a yuan, a billionth of a person or of a share.
REL_TOL = 1e-9
ABS_TOL = 1e-9
# How many differing rows a report shows per table.
MAX_SHOWN = 5

FLOATING = ("DOUBLE", "FLOAT", "REAL")


@dataclass
class TableComparison:
    """The outcome for one table: empty `problems` when both sides agree."""

    table: str
    n_rows: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def agrees(self) -> bool:
        return not self.problems

    def report(self) -> str:
        if self.agrees:
            return f"{self.table}: {self.n_rows} rows agree"
        return f"{self.table}: differs\n" + "\n".join(f"  {problem}" for problem in self.problems)


def _columns(connection: duckdb.DuckDBPyConnection, relation: str) -> dict[str, str]:
    described = connection.execute(f"describe select * from {relation}").fetchall()
    return {name.lower(): str(data_type).upper() for name, data_type, *_ in described}


def _is_floating(data_type: str) -> bool:
    return data_type in FLOATING or data_type.startswith("DECIMAL")


def values_agree(left, right, rel_tol: float = REL_TOL, abs_tol: float = ABS_TOL) -> bool:
    """Null only with null, numbers within tolerance, lists element by element in order."""
    if left is None or right is None:
        return left is None and right is None
    if isinstance(left, list | tuple) or isinstance(right, list | tuple):
        if not (isinstance(left, list | tuple) and isinstance(right, list | tuple)) or len(left) != len(right):
            return False
        return all(values_agree(a, b, rel_tol, abs_tol) for a, b in zip(left, right, strict=True))
    if isinstance(left, bool) or isinstance(right, bool):
        return left is right
    if isinstance(left, int | float | Decimal) and isinstance(right, int | float | Decimal):
        if not (isinstance(left, int) and isinstance(right, int)):
            left, right = float(left), float(right)
            if math.isnan(left) or math.isnan(right):
                return math.isnan(left) and math.isnan(right)
            return math.isclose(left, right, rel_tol=rel_tol, abs_tol=abs_tol)
        return left == right
    return left == right


def compare_tables(
    connection: duckdb.DuckDBPyConnection,
    table: str,
    expected: str,
    actual: str,
    rel_tol: float = REL_TOL,
    abs_tol: float = ABS_TOL,
) -> TableComparison:
    """Compare relation `actual` with relation `expected` (SQL relation expressions, e.g.
    `build.marts.x` and `read_parquet('.../x/*.parquet')`) in `connection`."""
    result = TableComparison(table)
    expected_columns = _columns(connection, expected)
    actual_columns = _columns(connection, actual)
    missing = [name for name in expected_columns if name not in actual_columns]
    extra = [name for name in actual_columns if name not in expected_columns]
    if missing:
        result.problems.append(f"columns missing: {', '.join(missing)}")
    if extra:
        result.problems.append(f"columns not expected: {', '.join(extra)}")
    names = [name for name in expected_columns if name in actual_columns]
    if not names:
        return result

    # the key (non-floating columns) first, then the floating ones; nulls last on both sides
    ordered = [n for n in names if not _is_floating(expected_columns[n])] + [
        n for n in names if _is_floating(expected_columns[n])
    ]
    select = ", ".join(f'"{name}"' for name in ordered)
    order = ", ".join(f'"{name}" nulls last' for name in ordered)
    expected_rows = connection.execute(f"select {select} from {expected} order by {order}").fetchall()
    actual_rows = connection.execute(f"select {select} from {actual} order by {order}").fetchall()
    result.n_rows = len(expected_rows)
    if len(expected_rows) != len(actual_rows):
        result.problems.append(f"{len(actual_rows)} rows, expected {len(expected_rows)}")

    shown = 0
    n_differing = 0
    for expected_row, actual_row in zip(expected_rows, actual_rows, strict=False):
        differing = [
            (name, want, got)
            for name, want, got in zip(ordered, expected_row, actual_row, strict=True)
            if not values_agree(want, got, rel_tol, abs_tol)
        ]
        if not differing:
            continue
        n_differing += 1
        if shown < MAX_SHOWN:
            shown += 1
            key = {
                name: value
                for name, value in zip(ordered, expected_row, strict=True)
                if not _is_floating(expected_columns[name])
            }
            details = "; ".join(f"{name}: expected {want!r}, got {got!r}" for name, want, got in differing)
            result.problems.append(f"row {key}: {details}")
    if n_differing > shown:
        result.problems.append(f"... {n_differing - shown} more differing rows")
    return result


def spark_table_files(spark_warehouse: Path, schema: str, table: str) -> Path:
    """Where Spark (spark.sql.warehouse.dir) keeps a managed table's Parquet files."""
    return spark_warehouse / f"{schema}.db" / table


def compare_builds(
    duckdb_file: Path, spark_warehouse: Path, tables: list[str], schema: str = "marts"
) -> list[TableComparison]:
    """Each of `tables` in the DuckDB build file's `schema` against the Spark warehouse's
    Parquet files of the same table; a table Spark did not write is a difference."""
    results = []
    with duckdb.connect() as connection:
        path = str(duckdb_file).replace("'", "''")
        connection.execute(f"attach '{path}' as duckdb_build (read_only)")
        for table in tables:
            files = spark_table_files(spark_warehouse, schema, table)
            if not any(files.glob("*.parquet")):
                results.append(TableComparison(table, problems=[f"no Parquet files from Spark under {files}"]))
                continue
            parquet = str(files / "*.parquet").replace("'", "''")
            results.append(
                compare_tables(connection, table, f'duckdb_build.{schema}."{table}"', f"read_parquet('{parquet}')")
            )
    return results
