"""Compare two published files (marts.duckdb) table by table: what a restructuring changed for users.

Run (from the repository root):
    python scripts/compare_publications.py OLD/marts.duckdb NEW/marts.duckdb

For every table in both files, over the columns in both (less the load/publish timestamps and run
ids, which differ between any two runs), it counts the rows of OLD not in NEW and of NEW not in OLD
with EXCEPT ALL (duplicates count). Differing rows whose floating-point columns differ only by
reassociation (|a - b| <= 1e-12 * max(|a|, |b|), the rest of the row equal) are counted apart as
"equal to 1e-12 relative": shown, never folded into "equal".

Prints one line per table (rows old/new, columns only in old/new, the two EXCEPT ALL counts, the
near-equal count) and a sample of the rows that differ. Exits 1 when a common table differs in a
common column beyond 1e-12 relative, or when a table or column of OLD is missing from NEW (readers
of the old publication would lose it); tables and columns only in NEW are listed, not failed:
adding content is what a growing warehouse does.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

# Columns that differ between any two runs by construction: when a row was loaded or published,
# and which run did it.
VOLATILE_COLUMN = re.compile(r"(^|_)(loaded|load|published|publish|built|refreshed|run)_(at|time|timestamp|id)$")
FLOAT_TYPES = {"DOUBLE", "FLOAT", "REAL"}
RELATIVE_TOLERANCE = 1e-12
SAMPLE_ROWS = 3
SAMPLE_CELL_CHARS = 80


@dataclass
class TableComparison:
    name: str
    rows_old: int
    rows_new: int
    only_old_columns: list[str]
    only_new_columns: list[str]
    ignored_columns: list[str]
    old_not_new: int
    new_not_old: int
    type_changes: list[str] = field(default_factory=list)  # "column OLD->NEW"
    near_equal: int = 0  # differing row pairs equal to 1e-12 relative in their float columns
    samples: dict[str, list[tuple]] = field(default_factory=dict)

    @property
    def differs(self) -> bool:
        """Rows differ beyond 1e-12 relative in the common columns."""
        return self.old_not_new - self.near_equal > 0 or self.new_not_old - self.near_equal > 0


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _tables(con: duckdb.DuckDBPyConnection, catalog: str) -> dict[str, dict[str, str]]:
    """schema.table -> {column: type}, in column order."""
    rows = con.execute(
        "select table_schema, table_name, column_name, data_type from information_schema.columns "
        "where table_catalog = ? order by table_schema, table_name, ordinal_position",
        [catalog],
    ).fetchall()
    tables: dict[str, dict[str, str]] = {}
    for schema, table, column, dtype in rows:
        tables.setdefault(f"{schema}.{table}", {})[column] = dtype
    return tables


def _near_equal_pairs(
    con: duckdb.DuckDBPyConnection, old_rel: str, new_rel: str, columns: list[str], types: dict[str, str]
) -> int:
    """How many of OLD∖NEW pair one-to-one with NEW∖OLD rows equal in every non-float column and
    equal to 1e-12 relative in every float column (pairs ranked by the float columns within their
    non-float key)."""
    floats = [c for c in columns if types[c] in FLOAT_TYPES]
    if not floats:
        return 0
    keys = [c for c in columns if c not in floats]
    cols = ", ".join(_quote(c) for c in columns)
    partition = f"partition by {', '.join(_quote(k) for k in keys)}" if keys else ""
    order = ", ".join(_quote(c) for c in floats)
    ranked = "select {cols}, row_number() over ({partition} order by {order}) as _pair from ({rel})"
    join = [f"o.{_quote(k)} is not distinct from n.{_quote(k)}" for k in keys] + ["o._pair = n._pair"]
    close = [
        f"(o.{q} is not distinct from n.{q}"
        f" or abs(o.{q} - n.{q}) <= {RELATIVE_TOLERANCE!r} * greatest(abs(o.{q}), abs(n.{q})))"
        for q in map(_quote, floats)
    ]
    sql = (
        f"with o as ({ranked.format(cols=cols, partition=partition, order=order, rel=old_rel)}), "
        f"n as ({ranked.format(cols=cols, partition=partition, order=order, rel=new_rel)}) "
        f"select count(*) from o join n on {' and '.join(join)} where {' and '.join(close)}"
    )
    return con.execute(sql).fetchone()[0]


def _cell(value) -> str:
    text = repr(value)
    return text if len(text) <= SAMPLE_CELL_CHARS else text[: SAMPLE_CELL_CHARS - 1] + "…"


def _is_ignored(table: str, column: str, ignore: set[str]) -> bool:
    return bool(VOLATILE_COLUMN.search(column)) or column in ignore or f"{table.split('.')[-1]}.{column}" in ignore


def compare(old: Path, new: Path, ignore: set[str] = frozenset()) -> tuple[list[TableComparison], list[str], list[str]]:
    """Per common table its comparison; the tables only in OLD; the tables only in NEW. `ignore`
    names more columns not to compare, as `column` or `table.column`."""
    con = duckdb.connect()
    con.execute(f"attach '{old}' as old_pub (read_only)")
    con.execute(f"attach '{new}' as new_pub (read_only)")
    old_tables, new_tables = _tables(con, "old_pub"), _tables(con, "new_pub")
    results = []
    for name in sorted(old_tables.keys() & new_tables.keys()):
        old_cols, new_cols = old_tables[name], new_tables[name]
        common = [c for c in old_cols if c in new_cols]
        ignored = [c for c in common if _is_ignored(name, c, ignore)]
        compared = [c for c in common if c not in ignored]
        # a column whose type changed is compared in the two types' common supertype (an integer
        # now a double compares equal by value) and listed as a type change
        schema, table = name.split(".", 1)
        cols = ", ".join(_quote(c) for c in compared)
        old_rel = f"select {cols} from old_pub.{_quote(schema)}.{_quote(table)}"
        new_rel = f"select {cols} from new_pub.{_quote(schema)}.{_quote(table)}"
        rows_old = con.execute(f"select count(*) from old_pub.{_quote(schema)}.{_quote(table)}").fetchone()[0]
        rows_new = con.execute(f"select count(*) from new_pub.{_quote(schema)}.{_quote(table)}").fetchone()[0]
        result = TableComparison(
            name=name,
            rows_old=rows_old,
            rows_new=rows_new,
            only_old_columns=[c for c in old_cols if c not in new_cols],
            only_new_columns=[c for c in new_cols if c not in old_cols],
            ignored_columns=ignored,
            type_changes=[f"{c} {old_cols[c]}->{new_cols[c]}" for c in common if old_cols[c] != new_cols[c]],
            old_not_new=0,
            new_not_old=0,
        )
        if compared:
            old_minus = f"({old_rel}) except all ({new_rel})"
            new_minus = f"({new_rel}) except all ({old_rel})"
            result.old_not_new = con.execute(f"select count(*) from ({old_minus})").fetchone()[0]
            result.new_not_old = con.execute(f"select count(*) from ({new_minus})").fetchone()[0]
            if result.old_not_new and result.new_not_old:
                types = {c: old_cols[c] for c in compared}
                result.near_equal = _near_equal_pairs(con, old_minus, new_minus, compared, types)
            if result.differs:
                order = ", ".join(str(i + 1) for i in range(len(compared)))
                for label, rel in (("old not new", old_minus), ("new not old", new_minus)):
                    rows = con.execute(f"select * from ({rel}) order by {order} limit {SAMPLE_ROWS}").fetchall()
                    if rows:
                        result.samples[label] = [tuple(compared), *rows]
        results.append(result)
    only_old = sorted(old_tables.keys() - new_tables.keys())
    only_new = sorted(new_tables.keys() - old_tables.keys())
    con.close()
    return results, only_old, only_new


def render(results: list[TableComparison], only_old: list[str], only_new: list[str]) -> str:
    header = ("table", "rows old", "rows new", "cols only old", "cols only new", "old∖new", "new∖old", "≈1e-12")
    lines = [
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
    ]
    for r in results:
        cells = (
            r.name,
            r.rows_old,
            r.rows_new,
            ", ".join(r.only_old_columns) or "",
            ", ".join(r.only_new_columns) or "",
            r.old_not_new,
            r.new_not_old,
            r.near_equal or "",
        )
        lines.append("| " + " | ".join(str(c) for c in cells) + " |")
    lines.append("")
    lines.append(f"tables only in old: {', '.join(only_old) or 'none'}")
    lines.append(f"tables only in new: {', '.join(only_new) or 'none'}")
    ignored = sorted({f"{r.name.split('.')[-1]}.{c}" for r in results for c in r.ignored_columns})
    lines.append(f"columns not compared (load/publish time, run id, --ignore): {', '.join(ignored) or 'none'}")
    changed = [f"{r.name}.{t}" for r in results for t in r.type_changes]
    lines.append(f"column types changed: {', '.join(changed) or 'none'}")
    near = [r for r in results if r.near_equal]
    if near:
        lines.append(
            "equal to 1e-12 relative (float reassociation, not exact): "
            + ", ".join(f"{r.name} {r.near_equal} rows" for r in near)
        )
    for r in results:
        for label, rows in r.samples.items():
            lines.append("")
            lines.append(f"{r.name}, {label} (first {SAMPLE_ROWS}; columns {', '.join(rows[0])}):")
            lines.extend("  (" + ", ".join(_cell(v) for v in row) + ")" for row in rows[1:])
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("old", type=Path, help="the published file before the change (marts.duckdb)")
    parser.add_argument("new", type=Path, help="the published file after the change")
    parser.add_argument(
        "--ignore",
        action="append",
        default=[],
        metavar="[TABLE.]COLUMN",
        help="a column not to compare, besides load/publish times and run ids (repeatable); say why where you use it",
    )
    args = parser.parse_args(argv)
    for path in (args.old, args.new):
        if not path.is_file():
            parser.error(f"{path}: no such file")
    results, only_old, only_new = compare(args.old, args.new, set(args.ignore))
    print(render(results, only_old, only_new))
    differing = [r.name for r in results if r.differs]
    removed_columns = [f"{r.name}.{c}" for r in results for c in r.only_old_columns]
    problems = []
    if differing:
        problems.append(f"{len(differing)} common table(s) differ in common columns: {', '.join(differing)}")
    if only_old:
        problems.append(f"{len(only_old)} table(s) of OLD missing from NEW")
    if removed_columns:
        problems.append(f"{len(removed_columns)} column(s) of OLD missing from NEW: {', '.join(removed_columns)}")
    print("")
    if problems:
        print("DIFFERENT: " + "; ".join(problems))
        return 1
    print(f"SAME: {len(results)} common tables equal in their common columns")
    return 0


if __name__ == "__main__":
    sys.exit(main())
