"""`make export`: one published table to CSV, Parquet or XLSX, with readable labels beside the codes.

Reads the published file only (read-only), so an export never sees a half-built warehouse. Beside
every code column it knows (province_code, partner_province_code, industry_code, universe_code,
group_code, region_code) it adds the Chinese and English names from the published dimensions, so
a spreadsheet needs no lookup. CSV and Parquet are written by DuckDB's COPY; XLSX (which DuckDB
cannot write) by openpyxl, one sheet, limited to Excel's 1,048,575 data rows.
"""

from __future__ import annotations

from pathlib import Path

from .settings import Settings

FORMATS = ("csv", "parquet", "xlsx")
XLSX_MAX_ROWS = 1_048_575  # Excel's row limit, less the header

# code column -> (dimension, its key, the label columns to add, the prefix they get)
LABELS = {
    "province_code": ("dim_province", "province_code", ("name_short_zh", "name_en"), "province"),
    "partner_province_code": ("dim_province", "province_code", ("name_short_zh", "name_en"), "partner_province"),
    "region_code": ("dim_province", "province_code", ("name_short_zh", "name_en"), "region"),
    "industry_code": ("dim_industry", "industry_code", ("name_zh", "name_en"), "industry"),
    "universe_code": ("dim_region_group", "group_code", ("name_zh", "name_en"), "universe"),
    "group_code": ("dim_region_group", "group_code", ("name_zh", "name_en"), "group"),
}


class ExportError(ValueError):
    """What the user asked for cannot be exported; the message says why and what to do."""


def export_query(con, table: str, where: str | None) -> str:
    """SELECT of `table` with name columns beside each code column; the rows `where` selects."""
    tables = {
        row[0]
        for row in con.execute(
            "select table_name from duckdb_tables() where not internal "
            "union select view_name from duckdb_views() where not internal"
        ).fetchall()
    }
    if table not in tables:
        raise ExportError(f"no published table {table!r}; the published tables are: {', '.join(sorted(tables))}")
    columns = [row[0] for row in con.execute(f'describe "{table}"').fetchall()]
    selected, joins = [], []
    for column in columns:
        selected.append(f't."{column}"')
        label = LABELS.get(column)
        # a dimension is itself the labels; other tables get the names of the codes they carry
        if label is None or table.startswith("dim_") or label[0] not in tables:
            continue
        dimension, key, (name_zh, name_en), prefix = label
        alias = f"label_{len(joins)}"
        joins.append(f'left join "{dimension}" as {alias} on {alias}."{key}" = t."{column}"')
        selected += [f'{alias}."{name_zh}" as "{prefix}_name_zh"', f'{alias}."{name_en}" as "{prefix}_name_en"']
    query = f'select {", ".join(selected)} from "{table}" as t ' + " ".join(joins)
    return f"select * from ({query}) where {where}" if where else query


def export(settings: Settings, table: str, file_format: str, where: str | None, out: Path | None) -> Path:
    import duckdb

    if file_format not in FORMATS:
        raise ExportError(f"FORMAT={file_format!r} is not one of {', '.join(FORMATS)}")
    if not settings.published_db.exists():
        raise ExportError(f"no published warehouse at {settings.published_db}; run `make run` first")
    target = out or settings.warehouse_dir / "exports" / f"{table}.{file_format}"
    target.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(settings.published_db), read_only=True) as con:
        query = export_query(con, table, where)
        try:
            count = con.execute(f"select count(*) from ({query})").fetchone()[0]
        except duckdb.Error as exc:
            reason = str(exc).splitlines()[0]
            raise ExportError(f"WHERE={where!r} is not a condition on the columns of {table}: {reason}") from None
        if file_format == "xlsx":
            if count > XLSX_MAX_ROWS:
                raise ExportError(
                    f"{table} has {count:,} rows selected, more than an Excel sheet holds ({XLSX_MAX_ROWS:,}); "
                    "narrow them with WHERE=... or export FORMAT=csv or parquet"
                )
            _write_xlsx(con.execute(query), table, target)
        else:
            options = "(format csv, header true)" if file_format == "csv" else "(format parquet)"
            con.execute(f"copy ({query}) to '{_quoted(target)}' {options}")
    return target


def _write_xlsx(cursor, table: str, target: Path) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=table[:31])
    sheet.append([column[0] for column in cursor.description])
    while rows := cursor.fetchmany(10_000):
        for row in rows:
            # lists (source cells, members) as one text cell: a spreadsheet cell holds one value
            sheet.append([", ".join(map(str, v)) if isinstance(v, list) else v for v in row])
    book.save(target)


def _quoted(path: Path) -> str:
    return str(path).replace("'", "''")
