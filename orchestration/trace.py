"""`make trace`: from one published row to the raw cells behind it.

    make trace TABLE=mart_specialization_relative universe=yrd province=320000 year=2014 \\
        indicator=main_business_revenue

Prints the row, what each of its columns means (the published comments: formula, unit, range),
the industry set and members its universe-year used, every input value (lineage_metric_input
for metric marts; the facts for growth; the row's own cells for facts) and every raw cell behind
them (file, sheet, cell, value as printed, unit, SHA-256) from lineage_source_cell. Everything it
prints is queryable in SQL from the same published tables.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import pandas as pd

from .published_connection import open_published
from .settings import Settings

# short key names users type -> the column they name
ALIASES = {
    "universe": "universe_code",
    "province": "province_code",
    "partner": "partner_province_code",
    "industry": "industry_code",
    "region": "region_code",
    "group": "group_code",
    "set": "industry_set",
}
KEY_COLUMNS = (
    "universe_code",
    "industry_set",
    "province_code",
    "partner_province_code",
    "industry_code",
    "region_code",
    "group_code",
    "indicator",
    "year",
    "base_year",
)


class TraceError(ValueError):
    """The row cannot be traced as asked; the message says what to give instead."""


@dataclass
class Trace:
    rows: pd.DataFrame  # the published row(s) the keys select
    comments: dict[str, str]  # column -> its published description
    inputs: pd.DataFrame  # the values the row is computed from
    cells: pd.DataFrame  # the raw cells behind the inputs


def keys_from_environment(environ=os.environ) -> dict[str, str]:
    """Key columns given as `make trace ... universe=yrd year=2014` (make puts command-line
    variables into the environment), by their column names or short aliases."""
    keys = {}
    for name in (*KEY_COLUMNS, *ALIASES):
        if environ.get(name):
            keys[ALIASES.get(name, name)] = environ[name]
    return keys


def trace(settings: Settings, table: str, keys: dict[str, str]) -> Trace:
    if not settings.published_db.exists():
        raise TraceError(f"no published warehouse at {settings.published_db}; run `make run` first")
    # confined: the keys are bound as parameters, and the connection reads nothing but the warehouse
    with open_published(settings.published_db) as con:
        columns = _columns(con, table)
        unknown = sorted(set(keys) - set(columns))
        if unknown:
            usable = [c for c in KEY_COLUMNS if c in columns]
            raise TraceError(f"{table} has no column {', '.join(unknown)}; its keys are: {', '.join(usable)}")
        where = " and ".join(f'cast("{column}" as varchar) = ?' for column in keys) or "true"
        rows = con.execute(f'select * from "{table}" where {where}', list(keys.values())).df()
        if rows.empty:
            raise TraceError(f"no row of {table} has {_described(keys)}")
        comments = dict(
            con.execute(
                "select column_name, comment from duckdb_columns() where table_name = ? and comment is not null",
                [table],
            ).fetchall()
        )
        inputs = _inputs(con, table, columns, rows)
        cells = _cells(con, inputs)
    return Trace(rows=rows, comments=comments, inputs=inputs, cells=cells)


def _columns(con, table: str) -> list[str]:
    columns = [
        row[0]
        for row in con.execute(
            "select column_name from duckdb_columns() where table_name = ? and not internal order by column_index",
            [table],
        ).fetchall()
    ]
    if not columns:
        raise TraceError(f"no published table {table!r}")
    return columns


def _inputs(con, table: str, columns: list[str], rows: pd.DataFrame) -> pd.DataFrame:
    """The values the selected rows are computed from."""
    if "universe_code" in columns and "indicator" in columns:
        # a metric of a universe-year uses every member's value of every division of the set
        years = set(rows["year"]) | (set(rows["base_year"]) if "base_year" in columns else set())
        # the industry set of the row (every metric mart has one; year_common where it holds no other)
        sets = rows["industry_set"] if "industry_set" in columns else pd.Series("year_common", index=rows.index)
        pairs = rows.assign(industry_set=sets)[["universe_code", "industry_set", "indicator"]].drop_duplicates()
        frames = [
            con.execute(
                "select * from lineage_metric_input where universe_code = ? and industry_set = ? and indicator = ? "
                f"and year in ({', '.join('?' * len(years))}) order by year, province_code, industry_code",
                [universe, industry_set, indicator, *sorted(int(y) for y in years)],
            ).df()
            for universe, industry_set, indicator in pairs.itertuples(index=False)
        ]
        return pd.concat(frames, ignore_index=True)
    if {"group_code", "industry_code", "indicator", "year"} <= set(columns):
        # a group total, share or growth: every member's fact of the years it uses
        years = set(rows["year"]) | (set(rows["base_year"]) if "base_year" in columns else set())
        wanted = rows[["group_code", "industry_code", "indicator"]].drop_duplicates().itertuples(index=False)
        frames = [
            con.execute(
                "select f.* from fct_industry_indicator as f inner join dim_region_group_member as m "
                f"using (province_code) where m.group_code = ? and {_behind('f', industry)} and f.indicator = ? "
                f"and f.year in ({', '.join('?' * len(years))}) order by f.year, f.province_code, f.industry_code",
                [group, indicator, *sorted(int(y) for y in years)],
            ).df()
            for group, industry, indicator in wanted
        ]
        return pd.concat(frames, ignore_index=True)
    if "source_value_ids" in columns:
        return rows
    if {"province_code", "industry_code", "indicator", "base_year", "year"} <= set(columns):
        # growth: the two facts it compares
        wanted = rows[["province_code", "industry_code", "indicator", "base_year", "year"]].itertuples(index=False)
        frames = [
            con.execute(
                f"select * from fct_industry_indicator as f where province_code = ? and {_behind('f', k)} "
                "and indicator = ? and year in (?, ?) order by year, industry_code",
                [p, i, int(t0), int(t1)],
            ).df()
            for p, k, i, t0, t1 in wanted
        ]
        return pd.concat(frames, ignore_index=True)
    raise TraceError(f"{table} is not traced to source cells (a dimension or a report of checks)")


def _behind(alias: str, industry: str) -> str:
    """The facts a value of `industry` rests on. Where the source prints no manufacturing total
    (C), it is derived as 合计 (BCD) minus the mining and utilities divisions
    (int_manufacturing_coverage), so in those province-years those facts are behind it."""
    code = industry.replace("'", "''")
    if code != "C":
        return f"{alias}.industry_code = '{code}'"
    return (
        f"({alias}.industry_code = 'C' or (({alias}.industry_code = 'BCD' or ({alias}.industry_level = 'division' "
        f"and ({alias}.industry_code < '13' or {alias}.industry_code > '43'))) and not exists ("
        "select 1 from fct_industry_indicator as printed where printed.industry_code = 'C' "
        f"and printed.value is not null and printed.province_code = {alias}.province_code "
        f"and printed.year = {alias}.year and printed.indicator = {alias}.indicator)))"
    )


def _cells(con, inputs: pd.DataFrame) -> pd.DataFrame:
    ids = sorted({i for values in inputs["source_value_ids"] for i in (values if values is not None else [])})
    if not ids:
        return pd.DataFrame()
    con.register("trace_ids", pd.DataFrame({"raw_value_id": ids}))
    try:
        return con.execute(
            "select c.raw_value_id, c.source_file, c.source_sheet, c.source_cell, c.value_as_printed, "
            "c.source_unit, c.file_sha256, c.province_label, c.industry_label, c.year "
            "from lineage_source_cell as c inner join trace_ids using (raw_value_id) "
            # a row's cells in the order of their columns: D before AA (shorter letters first)
            "order by c.source_file, c.source_sheet, c.source_row, length(c.source_column), c.source_column"
        ).df()
    finally:
        con.unregister("trace_ids")


def report(result: Trace, table: str) -> str:
    """What `make trace` prints."""
    lines = [f"{table}: {len(result.rows)} row(s)"]
    for _, row in result.rows.head(20).iterrows():
        for column, value in row.items():
            meaning = result.comments.get(column, "")
            lines.append(f"  {column} = {_shown(value)}" + (f"    -- {meaning.strip()}" if meaning else ""))
        lines.append("")
    inputs = result.inputs
    if "universe_code" in inputs.columns:
        for (universe, industry_set, year, indicator), part in inputs.groupby(
            ["universe_code", "industry_set", "year", "indicator"]
        ):
            members = sorted(part["province_code"].unique())
            industries = sorted(part["industry_code"].unique())
            lines.append(
                f"inputs {universe} {industry_set} {year} {indicator}: {len(members)} members ({', '.join(members)}) × "
                f"{len(industries)} divisions ({', '.join(industries)}) = {len(part)} values"
            )
    # the division(s) of the inputs each cell feeds: an export's label is its own edition's words
    feeds: dict[str, set[str]] = {}
    if "industry_code" in inputs.columns:
        for ids, industry in zip(inputs["source_value_ids"], inputs["industry_code"], strict=True):
            for value_id in ids if ids is not None else []:
                feeds.setdefault(value_id, set()).add(str(industry))
    lines.append(f"{len(inputs)} input values, {len(result.cells)} raw cells:")
    for cell in result.cells.itertuples(index=False):
        fed = feeds.get(cell.raw_value_id)
        lines.append(
            f"  {cell.source_file}!{cell.source_sheet}!{cell.source_cell}  {_shown(cell.value_as_printed):>14} "
            f"{cell.source_unit or ''}  {cell.province_label} {cell.industry_label} {cell.year}"
            + (f" -> {', '.join(sorted(fed))}" if fed else "")
            + f"  sha256 {cell.file_sha256[:12]}"
        )
    return "\n".join(lines)


def _shown(value) -> str:
    """A value as the published file holds it: a missing one is null (pandas reads it as NaN, NaT, <NA>
    or None, by the column's type), as `make sql` and the column descriptions say."""
    missing = value is None or (pd.api.types.is_scalar(value) and pd.isna(value))  # NaN, NaT, pd.NA
    return "null" if missing else str(value)


def _described(keys: dict[str, str]) -> str:
    return ", ".join(f"{k} = {v}" for k, v in keys.items()) or "any key"
