"""The export formats DuckDB cannot write: XLSX (openpyxl) and Stata .dta (pandas).

Both carry what the published file says of each column (its DuckDB comment, which is the dbt
description) and the units of the rows selected, so the file explains itself away from the
warehouse.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from .where_condition import Condition

STATA_NAME_LENGTH = 32
STATA_LABEL_LENGTH = 80
STATA_STR_MAX = 2045  # longer strings are written as strL
PROVINCE_CODE_COLUMNS = ("province_code", "partner_province_code", "region_code")
NAME_COLUMN = re.compile(r"^(?P<prefix>.+)_name_(?P<language>zh|en)$")


def column_descriptions(con, table: str, columns: list[str]) -> dict[str, str]:
    """Each exported column's description: the published comment, or for an added name column,
    what it names."""
    comments = dict(
        con.execute(
            "select column_name, comment from duckdb_columns() where table_name = ? and comment is not null",
            [table],
        ).fetchall()
    )
    described = {}
    for column in columns:
        text = " ".join(str(comments.get(column, "")).split())
        match = NAME_COLUMN.match(column)
        if not text and match:
            language = "Chinese" if match["language"] == "zh" else "English"
            text = f"{language} name of {match['prefix']}_code"
        described[column] = text
    return described


def units_of_rows(con, query: str, columns: list[str]) -> list[tuple[str, str]]:
    """(indicator, unit) of the selected rows: from their own unit column, else from the facts of
    the indicators they hold."""
    if "indicator" not in columns:
        return []
    if "unit" in columns:
        sql = f"select distinct indicator, unit from ({query}) where unit is not null order by all"
    else:
        tables = {row[0] for row in con.execute("select table_name from duckdb_tables()").fetchall()}
        if "fct_industry_indicator" not in tables:
            return []
        sql = (
            "select distinct f.indicator, f.unit from fct_industry_indicator as f "
            f"where f.indicator in (select indicator from ({query})) and f.unit is not null order by all"
        )
    return [(str(indicator), str(unit)) for indicator, unit in con.execute(sql).fetchall()]


def write_xlsx(con, table: str, query: str, condition: Condition | None, target: Path) -> None:
    """A data sheet (one header row, frozen, with filters) and a `columns` sheet saying what each
    column is and the units of the rows."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    cursor = con.execute(query)
    columns = [column[0] for column in cursor.description]
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=table[:31])
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=column)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    n_rows = 0
    while rows := cursor.fetchmany(10_000):
        for row in rows:
            # lists (source cells, members) as one text cell: a spreadsheet cell holds one value
            sheet.append([", ".join(map(str, v)) if isinstance(v, list) else v for v in row])
        n_rows += len(rows)
    sheet.auto_filter.ref = f"A1:{_column_letter(len(columns))}{n_rows + 1}"

    notes = book.create_sheet(title="columns")
    notes.freeze_panes = "A2"
    table_comment = con.execute("select comment from duckdb_tables() where table_name = ?", [table]).fetchone()
    notes.append([f"{table}: {' '.join(str(table_comment[0] or '').split()) if table_comment else ''}"])
    notes.append([f"rows: {n_rows}; WHERE: {condition.sql if condition else '(all rows)'}"])
    notes.append([])
    notes.append(["column", "description (unit)"])
    for column, text in column_descriptions(con, table, columns).items():
        notes.append([column, text])
    units = units_of_rows(con, query, columns)
    if units:
        notes.append([])
        notes.append(["indicator", "unit of its values"])
        for indicator, unit in units:
            notes.append([indicator, unit])
    book.save(target)


def write_dta(con, table: str, query: str, condition: Condition | None, target: Path) -> None:
    """Stata 14+ (.dta format 118, UTF-8): variable labels from the column descriptions, province
    codes as numbers labelled with their names, the table's description as the data label."""
    import warnings

    frame = con.execute(query).df()
    descriptions = column_descriptions(con, table, list(frame.columns))
    names = stata_names(list(frame.columns))
    value_labels = {}
    if any(column in frame.columns for column in PROVINCE_CODE_COLUMNS):
        provinces = dict(
            con.execute(
                "select cast(province_code as integer), name_short_zh || ' ' || name_en from dim_province "
                "where regexp_full_match(province_code, '[0-9]+')"
            ).fetchall()
        )
    else:
        provinces = {}
    numeric_codes = _numeric_code_columns(con, table, list(frame.columns)) if provinces else set()
    for column in frame.columns:
        frame[column] = _stata_column(frame[column])
        if column in numeric_codes:
            codes = pd.to_numeric(frame[column].where(frame[column] != "", None))
            frame[column] = codes.astype("int32") if codes.notna().all() else codes.astype("float64")
            # every province, not only those selected: Stata's `append` keeps the labels in memory,
            # so a file labelling only its own rows leaves the next file's provinces unnamed
            value_labels[names[column]] = dict(provinces)
    labels = {}
    for column in frame.columns:
        text = descriptions.get(column, "")
        if names[column] != column:  # the name was shortened: the label keeps the published one
            text = f"{column}: {text}" if text else column
        labels[names[column]] = _clip(text, STATA_LABEL_LENGTH)
    frame = frame.rename(columns=names)
    long_strings = [
        name
        for name in frame.columns
        if frame[name].dtype == object and frame[name].map(lambda v: len(str(v).encode("utf-8"))).max() > STATA_STR_MAX
    ]
    table_comment = con.execute("select comment from duckdb_tables() where table_name = ?", [table]).fetchone()
    data_label = " ".join(str(table_comment[0] or table).split()) if table_comment else table
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pandas warns of columns it converts; we converted them already
        frame.to_stata(
            target,
            write_index=False,
            version=118,
            variable_labels=labels,
            value_labels=value_labels or None,
            data_label=_clip(data_label, STATA_LABEL_LENGTH),
            convert_strl=long_strings,
        )


def _numeric_code_columns(con, table: str, columns: list[str]) -> set[str]:
    """The province-code columns written as labelled numbers: those holding only GB/T 2260 codes
    in the whole published table, not just in the rows selected, so that every export of one table
    gives the column one type (Stata's `append` of two selections needs it). A region_code that
    also holds group codes (east, national) stays a string."""
    numeric = set()
    for column in PROVINCE_CODE_COLUMNS:
        if column in columns:
            only_digits = con.execute(
                f'select coalesce(bool_and(regexp_full_match("{column}", \'[0-9]+\')), true) from "{table}"'
            ).fetchone()[0]
            if only_digits:
                numeric.add(column)
    return numeric


def stata_names(columns: list[str]) -> dict[str, str]:
    """Stata variable names: letters, digits and _, at most 32 characters, unique."""
    names: dict[str, str] = {}
    taken: set[str] = set()
    for column in columns:
        name = re.sub(r"[^A-Za-z0-9_]", "_", column)
        if not re.match(r"[A-Za-z_]", name):
            name = f"_{name}"
        name = name[:STATA_NAME_LENGTH]
        n = 2
        while name.lower() in taken:
            suffix = f"_{n}"
            name = name[: STATA_NAME_LENGTH - len(suffix)] + suffix
            n += 1
        taken.add(name.lower())
        names[column] = name
    return names


def _stata_column(series: pd.Series) -> pd.Series:
    """A column in a type Stata holds: strings (missing as ""), numbers, 0/1 for booleans."""
    if pd.api.types.is_bool_dtype(series):
        # a nullable boolean with missing values: 0, 1 and Stata's missing
        return series.astype("float64") if series.isna().any() else series.astype("int8")
    if isinstance(series.dtype, pd.DatetimeTZDtype):
        return series.dt.tz_convert("UTC").dt.tz_localize(None)
    if pd.api.types.is_integer_dtype(series):
        if series.isna().any():
            return series.astype("float64")
        low, high = (series.min(), series.max()) if len(series) else (0, 0)
        return series.astype("int32") if low > -(2**31) and high < 2**31 - 27 else series.astype("float64")
    if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_datetime64_any_dtype(series):
        return series
    values = [v for v in series if v is not None and not (isinstance(v, float) and pd.isna(v))]
    if values and all(isinstance(v, bool) for v in values):
        return series.map(lambda v: float(v) if isinstance(v, bool) else float("nan")).astype("float64")
    return pd.Series(
        [
            ""
            if v is None or (isinstance(v, float) and pd.isna(v)) or v is pd.NA
            else ", ".join(map(str, v))
            if isinstance(v, (list, tuple, np.ndarray))
            else str(v)
            for v in series
        ],
        index=series.index,
        dtype=object,
    )


def _clip(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def _column_letter(n: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(max(n, 1))
