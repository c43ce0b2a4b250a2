"""`make export`: one published table to a file, with readable labels beside the codes.

Reads the published file through the confined connection (orchestration.published_connection),
so an export never sees a half-built warehouse and can write nowhere but the exports directory.
Beside every code column it knows (province_code, partner_province_code, industry_code,
universe_code, group_code, region_code) it adds the Chinese and English names from the published
dimensions, so a spreadsheet needs no lookup. `WHERE=` is one condition, parsed and rendered by
orchestration.where_condition.

Formats (orchestration.export_formats writes the last three):
- csv: UTF-8 without a byte-order mark, for scripts (pandas, R's readr, Stata's import delimited);
- csv-excel: the same with a byte-order mark, so Excel shows the Chinese intact;
- parquet;
- xlsx: one data sheet (frozen header) and a `columns` sheet with each column's description and
  the units of the selected rows; at most 1,048,575 rows;
- dta: Stata 14+ (format 118), variable labels from the published column descriptions, province
  codes as numbers with value labels.

Every file is written beside its target under a temporary name and renamed when complete. Without
`out`, the file is WAREHOUSE_DIR/exports/<table>[__<selection>].<extension>, where <selection> is
a readable start of the condition and a hash of it: two different selections never share a file.
"""

from __future__ import annotations

import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

from .published_connection import QueryRefused, open_published, refusal
from .settings import Settings
from .where_condition import Condition, WhereRefused, parse_condition

FORMATS = ("csv", "csv-excel", "parquet", "xlsx", "dta")
EXTENSIONS = {"csv": "csv", "csv-excel": "excel.csv", "parquet": "parquet", "xlsx": "xlsx", "dta": "dta"}
XLSX_MAX_ROWS = 1_048_575  # Excel's row limit, less the header
UTF8_BOM = b"\xef\xbb\xbf"

# code column -> the prefix of its name columns, and the dimensions naming it, in order: a
# region_code holds provinces and, in some tables, region groups (east, national)
PROVINCES = ("dim_province", "province_code", "name_short_zh", "name_en")
GROUPS = ("dim_region_group", "group_code", "name_zh", "name_en")
LABELS = {
    "province_code": ("province", (PROVINCES,)),
    "partner_province_code": ("partner_province", (PROVINCES,)),
    "region_code": ("region", (PROVINCES, GROUPS)),
    "industry_code": ("industry", (("dim_industry", "industry_code", "name_zh", "name_en"),)),
    "universe_code": ("universe", (GROUPS,)),
    "group_code": ("group", (GROUPS,)),
}


@dataclass(frozen=True)
class Exported:
    path: Path
    rows: int


class ExportError(ValueError):
    """What the user asked for cannot be exported; the message says why and what to do."""


def export_query(con, table: str) -> str:
    """SELECT of `table` with name columns beside each code column."""
    tables = published_tables(con)
    if table not in tables:
        raise ExportError(f"no published table {table!r}; the published tables are: {', '.join(sorted(tables))}")
    columns = [row[0] for row in con.execute(f'describe "{table}"').fetchall()]
    selected, joins = [], []
    for column in columns:
        selected.append(f't."{column}"')
        # a dimension is itself the labels; other tables get the names of the codes they carry
        if column not in LABELS or table.startswith("dim_"):
            continue
        prefix, dimensions = LABELS[column]
        names_zh, names_en = [], []
        for dimension, key, name_zh, name_en in dimensions:
            if dimension not in tables:
                continue
            alias = f"label_{len(joins)}"
            joins.append(f'left join "{dimension}" as {alias} on {alias}."{key}" = t."{column}"')
            names_zh.append(f'{alias}."{name_zh}"')
            names_en.append(f'{alias}."{name_en}"')
        if names_zh:
            selected += [
                f'coalesce({", ".join(names_zh)}) as "{prefix}_name_zh"',
                f'coalesce({", ".join(names_en)}) as "{prefix}_name_en"',
            ]
    return f'select {", ".join(selected)} from "{table}" as t ' + " ".join(joins)


def published_tables(con) -> set[str]:
    return {
        row[0]
        for row in con.execute(
            "select table_name from duckdb_tables() where not internal "
            "union select view_name from duckdb_views() where not internal"
        ).fetchall()
    }


def selection(con, table: str, where: str | None) -> tuple[str, Condition | None]:
    """The SELECT of the rows `where` selects, and the condition as rendered (None: every row)."""
    import duckdb

    query = export_query(con, table)
    if not where or not where.strip():
        return f"{query} order by all", None
    columns = [row[0] for row in con.execute(f"describe {query}").fetchall()]
    table_functions = [
        row[0]
        for row in con.execute(
            "select distinct function_name from duckdb_functions() "
            "where function_type in ('table', 'table_macro', 'pragma', 'aggregate', 'window')"
        ).fetchall()
    ]
    try:
        condition = parse_condition(where, table, columns, table_functions)
    except WhereRefused as exc:
        raise ExportError(str(exc)) from None
    try:
        kind = con.execute(f"describe select ({condition.sql}) as selected from ({query})").fetchall()[0][1]
    except duckdb.Error as exc:
        reason = str(exc).splitlines()[0]
        raise ExportError(f"WHERE={where!r} is not a condition on the columns of {table}: {reason}") from None
    if kind != "BOOLEAN":
        raise ExportError(
            f"WHERE={where!r} is a value of type {kind}, not a condition on the columns of {table} "
            "(one that is true or false for each row, e.g. year = 2014)"
        )
    # sorted by every column from the first: a spreadsheet or `xtset` needs no sort, and the same
    # selection gives its rows in the same order whatever DuckDB's threads did
    return f"select * from ({query}) as selected where {condition.sql} order by all", condition


def default_name(table: str, file_format: str, condition: Condition | None) -> str:
    return f"{table}{'__' + condition.slug if condition else ''}.{EXTENSIONS[file_format]}"


def export(settings: Settings, table: str, file_format: str, where: str | None, out: Path | None) -> Exported:
    import duckdb

    from .export_formats import write_dta, write_xlsx

    if file_format not in FORMATS:
        raise ExportError(f"FORMAT={file_format!r} is not one of {', '.join(FORMATS)}")
    if not settings.published_db.exists():
        raise ExportError(f"no published warehouse at {settings.published_db}; run `make run` first")
    exports = settings.warehouse_dir / "exports"
    with open_published(settings.published_db, writable=[exports]) as con:
        try:
            query, condition = selection(con, table, where)
            count = con.execute(f"select count(*) from ({query})").fetchone()[0]
        except duckdb.Error as exc:
            reason = refusal(exc) or str(exc).splitlines()[0]
            raise ExportError(f"WHERE={where!r} could not select rows of {table}: {reason}") from None
        if file_format == "xlsx" and count > XLSX_MAX_ROWS:
            raise ExportError(
                f"{table} has {count:,} rows selected, more than an Excel sheet holds ({XLSX_MAX_ROWS:,}); "
                "narrow them with WHERE=... or export FORMAT=csv or parquet"
            )
        target = (out or exports / default_name(table, file_format, condition)).absolute()
        exports.mkdir(parents=True, exist_ok=True)  # only now: a refused export leaves nothing behind
        target.parent.mkdir(parents=True, exist_ok=True)
        # written in the exports directory (the only place the connection may write), then moved
        staging = exports.resolve() / f".{target.name}.{uuid.uuid4().hex[:8]}.partial"
        try:
            if file_format in ("csv", "csv-excel", "parquet"):
                options = "(format parquet)" if file_format == "parquet" else "(format csv, header true)"
                con.execute(f"copy ({query}) to '{_quoted(staging)}' {options}")
                if file_format == "csv-excel":
                    _prepend_bom(staging)
            elif file_format == "xlsx":
                write_xlsx(con, table, query, condition, staging)
            else:
                write_dta(con, table, query, condition, staging)
            shutil.move(staging, target)
        except duckdb.Error as exc:
            reason = refusal(exc, [exports])
            if reason is None:
                raise
            raise QueryRefused(reason) from None
        finally:
            staging.unlink(missing_ok=True)
    return Exported(target, count)


def _prepend_bom(path: Path) -> None:
    with_bom = path.with_name(path.name + ".bom")
    try:
        with open(path, "rb") as source, open(with_bom, "wb") as target:
            target.write(UTF8_BOM)
            shutil.copyfileobj(source, target, 1 << 20)
        with_bom.replace(path)
    finally:
        with_bom.unlink(missing_ok=True)


def _quoted(path: Path) -> str:
    return str(path).replace("'", "''")
