"""The query tools touch only the warehouse (issue 22) and export in the formats users open (issue 20).

`make sql`, `make export`, `make trace` and the report writer open the published file through
orchestration.published_connection; `WHERE=` is one condition parsed by sqlglot. Each refusal is
checked for its sentence, for the absence of a traceback and, on the filesystem, for nothing
written. The user's path is exercised through `make` itself (`make -o setup`: the recipes and the
Makefile's variable handling, without reinstalling) and through `python -m orchestration.cli`
with the environment the Makefile sets.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from orchestration.export import ExportError, export
from orchestration.published_connection import open_published, refusal
from orchestration.settings import REPO_ROOT
from orchestration.where_condition import WhereRefused, parse_condition

from .conftest import copy_publication

LQ_COLUMNS = ["universe_code", "province_code", "industry_code", "year", "indicator", "lq", "province_name_en"]
CONFINED = "reads only the published warehouse"


@pytest.fixture(scope="module")
def published_warehouse(sample_publication, tmp_path_factory):
    """A copy of the session's sample publication; the tests read it and write only beside it."""
    return copy_publication(sample_publication, tmp_path_factory.mktemp("query_confinement") / "warehouse")


def files_under(*directories: Path) -> set[Path]:
    return {path for directory in directories if directory.exists() for path in directory.rglob("*")}


def published_rows(settings, sql: str, parameters=()) -> pd.DataFrame:
    with duckdb.connect(str(settings.published_db), read_only=True) as con:
        return con.execute(sql, list(parameters)).df()


def run_cli(settings, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """`python -m orchestration.cli ...` as the Makefile runs it: settings in the environment."""
    environment = {
        **os.environ,
        "PYTHONPATH": str(REPO_ROOT),
        "WAREHOUSE_DIR": str(settings.warehouse_dir),
        "RAW_DIR": str(settings.raw_dir),
        **(env or {}),
    }
    return subprocess.run(
        [sys.executable, "-m", "orchestration.cli", *args],
        cwd=REPO_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def run_make(settings, target: str, *variables: str, tmp_path: Path) -> subprocess.CompletedProcess:
    """`make <target> VAR=...` itself; `-o setup` keeps make from preparing .venv and dbt, and
    PARSED_FOR keeps it from touching the checkout's dbt state."""
    return subprocess.run(
        [
            "make",
            "-s",
            "-o",
            "setup",
            target,
            f"WAREHOUSE_DIR={settings.warehouse_dir}",
            f"RAW_DIR={settings.raw_dir}",
            f"PARSED_FOR={tmp_path / 'parsed_for'}",
            *variables,
        ],
        cwd=REPO_ROOT,
        env={k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAKELEVEL")},
        capture_output=True,
        text=True,
        timeout=120,
    )


# --- WHERE: one condition, parsed and rendered --------------------------------------------------


def test_a_condition_is_rendered_from_its_parse_not_pasted():
    columns = ["universe_code", "year", "province_name_en", "lq"]
    rendered = parse_condition(
        "Year  between 2005 and 2010 and universe_code in ('yrd','jjj') and lower(province_name_en) like '%su%'",
        "mart_location_quotient",
        columns,
        ["read_text"],
    )
    assert rendered.sql == (
        "\"year\" BETWEEN 2005 AND 2010 AND \"universe_code\" IN ('yrd', 'jjj') "
        "AND LOWER(\"province_name_en\") LIKE '%su%'"
    )
    # the same selection spelt differently is the same selection, and gets the same file name
    again = parse_condition(
        "year between 2005 and 2010 and universe_code in ('yrd', 'jjj') and LOWER(province_name_en) LIKE '%su%'",
        "t",
        columns,
        [],
    )
    assert again.slug == rendered.slug
    assert re.fullmatch(r"year_between_2005_and_2010_and_universe-[0-9a-f]{8}", rendered.slug)
    with pytest.raises(WhereRefused, match=r"names 'nope', not a column of t \(lq, province_name_en"):
        parse_condition("nope = 1", "t", columns, [])


@pytest.mark.parametrize(
    ("where", "because"),
    [
        (
            "year = 2014 and",
            "cannot be read past column 15 ('year = 2014 and'): a part is missing or out of place up to there.",
        ),
        (
            "year between 2014",
            "cannot be read past column 17 ('year between 2014'): a part is missing or out of place up to there.",
        ),
        (
            "year = 2014)",
            "cannot be read past column 12 ('year = 2014 )'): a part is missing or out of place up to there.",
        ),
        (
            "year = 2014 lq > 1",
            "cannot be read past column 16 ('year = 2014 lq >'): a part is missing or out of place up to there.",
        ),
        ("universe_code = 'yrd", "holds a quote, a comment or a $$ string that is not closed."),
        (
            "row_number() over () = 1",
            "holds a window function (ROW_NUMBER() OVER ()), which is not a function of one row's values.",
        ),
        ("year == 2014 & universe_code == 'yrd'", "joins conditions with '&': write and instead."),
        ("year = 2014 && lq > 1", "joins conditions with '&&': write and instead."),
        ("universe_code = 'yrd' | year = 2015", "joins conditions with '|': write or instead."),
        (
            'universe_code = "yrd"',
            "names \"yrd\", not a column of t: in SQL, text goes in single quotes ('yrd'), double quotes name "
            "a column (lq, province_name_en, universe_code, year).",
        ),
    ],
)
def test_a_condition_written_as_in_stata_or_cut_short_is_refused_saying_what_to_write(where, because):
    columns = ["universe_code", "year", "province_name_en", "lq"]
    with pytest.raises(WhereRefused) as refused:
        parse_condition(where, "t", columns, [])
    assert str(refused.value).endswith(f"WHERE={where!r} is refused because it {because}")
    assert "sqlglot" not in str(refused.value) and "<class" not in str(refused.value)
    # `==` reads as `=` and `||` stays concatenation: neither is refused
    assert parse_condition("year == 2014", "t", columns, []).sql == '"year" = 2014'
    assert parse_condition("universe_code || 'x' = 'yrdx'", "t", columns, []).sql.startswith('"universe_code" ||')


INJECTIONS = {
    "bracket closed, then copy": "1=1) to '{target}' (format csv) --",
    "bracket closed, no comment": "year = 2014) to '{target}' (format csv",
    "second statement after ;": "year = 2014; copy (select 1) to '{target}'",
    "trailing ;": "year = 2014;",
    "-- comment": "year = 2014 -- and then '{target}'",
    "/* */ comment": "year = 2014 /* '{target}' */",
    "subquery reading a file": "(select content from read_text('/etc/passwd')) like '%root%'",
    "in (subquery) reading a file": "province_code in (select column0 from read_csv('/etc/passwd'))",
    "exists (subquery)": "exists (select 1 from glob('/etc/*'))",
    "read_text as a value": "read_text('/etc/passwd') is not null",
    "glob as a value": "glob('/etc/*') is not null",
    "union": "year = 2014 union select 1",
    "another table's column": "dim_province.name_en = 'Jiangsu'",
    "aggregate": "sum(lq) > 1",
    "parameter": "year = ?",
}


@pytest.mark.parametrize("name", INJECTIONS)
def test_where_injections_are_refused_and_nothing_is_written(published_warehouse, tmp_path, name):
    settings = published_warehouse
    target = tmp_path / "pwned.csv"
    where = INJECTIONS[name].format(target=target)
    before = files_under(settings.warehouse_dir, tmp_path)
    with pytest.raises(
        ExportError, match=r"^WHERE must be one condition on the columns of mart_location_quotient"
    ) as e:
        export(settings, "mart_location_quotient", "csv", where, None)
    assert "is refused because it" in str(e.value) and "\n" not in str(e.value)
    assert not target.exists()
    assert files_under(settings.warehouse_dir, tmp_path) == before


def test_a_value_that_is_not_true_or_false_is_refused(published_warehouse):
    with pytest.raises(ExportError, match="is a value of type INTEGER, not a condition"):
        export(published_warehouse, "mart_location_quotient", "csv", "year + 1", None)


def test_make_export_refuses_an_injection_through_the_users_path(published_warehouse, tmp_path):
    settings = published_warehouse
    target, marker = tmp_path / "pwned.csv", tmp_path / "make_expanded"
    before = files_under(settings.warehouse_dir, tmp_path)
    done = run_make(
        settings,
        "export",
        "TABLE=mart_location_quotient",
        f"WHERE=1=1) to '{target}' (format csv); select '$(shell touch {marker})'",
        tmp_path=tmp_path,
    )
    assert done.returncode != 0
    assert "Export refused: WHERE must be one condition on the columns of mart_location_quotient" in done.stderr
    assert "Traceback" not in done.stderr
    assert not target.exists() and not marker.exists()
    assert files_under(settings.warehouse_dir, tmp_path) - before == {tmp_path / "parsed_for"}

    # the environment the Makefile sets, straight to the CLI
    done = run_cli(
        settings,
        "export",
        env={"TABLE": "mart_location_quotient", "EXPORT_WHERE": f"year = 2014; copy (select 1) to '{target}'"},
    )
    assert done.returncode == 1 and "holds a ';'" in done.stderr and "Traceback" not in done.stderr
    assert not target.exists()


# --- connections confined to the published file -------------------------------------------------

REFUSED_SQL = {
    "read_text('/etc/passwd')": "select * from read_text('/etc/passwd')",
    "read_csv('/etc/passwd')": "select * from read_csv('/etc/passwd')",
    "glob('/etc/*')": "select * from glob('/etc/*')",
    "copy to /tmp": "copy (select * from dim_province) to '{target}'",
    "copy to exports/..": "copy (select * from dim_province) to '{exports}/../escaped.csv'",
    "attach": "attach '{target}' as other",
    "install": "install httpfs",
    "load": "load httpfs",
    "set": "set enable_external_access = true",
    "reset": "reset allowed_directories",
    "create table": "create table copied as select * from dim_province",
}


@pytest.mark.parametrize("name", REFUSED_SQL)
def test_make_sql_refuses_other_files_and_settings(published_warehouse, tmp_path, name):
    settings = published_warehouse
    target = tmp_path / "written.csv"
    exports = settings.warehouse_dir / "exports"
    exports.mkdir(exist_ok=True)
    before = files_under(settings.warehouse_dir, tmp_path)
    done = run_cli(settings, "sql", env={"SQL_QUERY": REFUSED_SQL[name].format(target=target, exports=exports)})
    assert done.returncode == 1
    assert done.stderr.startswith("Refused: ") and done.stderr.count("\n") == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert "root:" not in done.stdout  # nothing of /etc/passwd printed
    assert not target.exists() and not (settings.warehouse_dir / "escaped.csv").exists()
    assert files_under(settings.warehouse_dir, tmp_path) == before


def test_make_sql_writes_under_exports_and_opts_in_to_local_files(published_warehouse, tmp_path):
    settings = published_warehouse
    written = settings.warehouse_dir / "exports" / "provinces.csv"
    done = run_make(
        settings,
        "sql",
        f"Q=copy (select province_code, name_short_zh from dim_province order by 1) to '{written}' (header)",
        tmp_path=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    provinces = pd.read_csv(written, dtype=str)
    assert len(provinces) == 31 and provinces.set_index("province_code").name_short_zh["320000"] == "江苏"

    local = tmp_path / "mine.csv"
    local.write_text("a,b\n1,x\n", encoding="utf-8")
    query = f"Q=select sum(a) + 41 as answer from read_csv('{local}')"
    refused = run_make(settings, "sql", query, tmp_path=tmp_path)
    assert refused.returncode != 0 and f"not {local}" in refused.stderr
    opted_in = run_make(settings, "sql", query, "FILES=1", tmp_path=tmp_path)
    assert opted_in.returncode == 0, opted_in.stderr
    assert "42" in opted_in.stdout


def test_make_sql_runs_each_statement_once_and_shows_each(published_warehouse):
    done = run_cli(
        published_warehouse,
        "sql",
        env={"SQL_QUERY": "select count(*) as n_provinces from dim_province; select 'two' as second_statement"},
    )
    assert done.returncode == 0, done.stderr
    assert "n_provinces" in done.stdout and "31" in done.stdout and "second_statement" in done.stdout


def test_trace_and_report_connections_read_nothing_else(published_warehouse):
    with open_published(published_warehouse.published_db) as con:
        assert con.execute("select count(*) from dim_province").fetchone()[0] == 31
        for statement in ("select * from read_text('/etc/hostname')", "copy (select 1) to '/tmp/x.csv'"):
            with pytest.raises(duckdb.Error) as error:
                con.execute(statement)
            assert refusal(error.value).startswith("Refused: this tool reads only the published warehouse, not /")


def test_a_confined_session_beside_an_open_connection_leaves_it_as_it_was(published_warehouse, tmp_path):
    """DuckDB shares one instance per file in a process: the confined session must neither clash
    with a connection already open there (a test's, the report asset's run) nor confine it."""
    mine = tmp_path / "mine.txt"
    mine.write_text("mine", encoding="utf-8")
    with duckdb.connect(str(published_warehouse.published_db), read_only=True) as plain:
        with open_published(published_warehouse.published_db) as confined:
            assert confined.execute("select count(*) from dim_province").fetchone()[0] == 31
            with pytest.raises(duckdb.PermissionException):
                confined.execute(f"select content from read_text('{mine}')")
        assert plain.execute(f"select content from read_text('{mine}')").fetchone()[0] == "mine"
        plain.execute("set threads = 1")  # not locked


def test_make_trace_keys_are_not_expanded_by_make(published_warehouse, tmp_path):
    marker = tmp_path / "make_expanded"
    done = run_make(
        published_warehouse,
        "trace",
        "TABLE=mart_specialization_relative",
        "universe=yrd",
        f"province=$(shell touch {marker})",
        "year=2014",
        tmp_path=tmp_path,
    )
    assert not marker.exists()
    assert done.returncode != 0 and f"province_code = $(shell touch {marker})" in done.stderr
    assert "Traceback" not in done.stderr
    traced = run_make(
        published_warehouse,
        "trace",
        "TABLE=mart_specialization_relative",
        "universe=yrd",
        "province=320000",
        "year=2014",
        "indicator=main_business_revenue",
        tmp_path=tmp_path,
    )
    assert traced.returncode == 0, traced.stderr
    assert traced.stdout.startswith("mart_specialization_relative: 1 row(s)")
    assert "year = 2014" in traced.stdout


# --- exports in the formats users open ----------------------------------------------------------

YRD_2014 = "universe_code = 'yrd' and year = 2014 and indicator = 'main_business_revenue'"


def expected_lq(settings) -> pd.DataFrame:
    return published_rows(
        settings,
        "select l.universe_code, l.province_code, l.industry_code, l.year, l.indicator, l.lq, p.name_en "
        "as province_name_en from mart_location_quotient as l join dim_province as p using (province_code) "
        f"where {YRD_2014} order by province_code, industry_code",
    )


def test_stata_export_carries_labels_and_the_published_values(published_warehouse):
    import pyreadstat

    settings = published_warehouse
    path = export(settings, "mart_location_quotient", "dta", YRD_2014, None).path
    assert path.parent == settings.warehouse_dir / "exports" and path.suffix == ".dta"
    frame = pd.read_stata(path, convert_categoricals=False).sort_values(["province_code", "industry_code"])
    expected = expected_lq(settings)
    assert len(frame) == len(expected) > 0
    # province codes are numbers whose value labels are the names
    assert frame["province_code"].tolist() == [int(code) for code in expected["province_code"]]
    assert frame["industry_code"].tolist() == expected["industry_code"].tolist()
    assert frame["lq"].tolist() == pytest.approx(expected["lq"].tolist(), rel=1e-15)
    assert frame["province_name_en"].tolist() == expected["province_name_en"].tolist()
    _, meta = pyreadstat.read_dta(str(path))
    labels = dict(zip(meta.column_names, meta.column_labels, strict=True))
    comments = dict(
        published_rows(
            settings,
            "select column_name, comment from duckdb_columns() where table_name = 'mart_location_quotient'",
        ).values
    )
    value_label = "x[i,k], in the indicator's unit (亿元 for revenue, 人 for employment)"
    assert labels["value"] == comments["value"] == value_label
    assert labels["lq"].startswith("Location quotient 区位商 LQ[i,k]") and len(labels["lq"]) == 80
    assert labels["province_name_zh"] == "Chinese name of province_code"
    assert meta.value_labels[meta.variable_to_label["province_code"]][320000] == "江苏 Jiangsu"
    # every province is labelled, not only the four selected: a Stata `append` of another selection
    # keeps these labels and needs its own provinces among them
    provinces = published_rows(settings, "select province_code from dim_province").province_code
    assert set(meta.value_labels[meta.variable_to_label["province_code"]]) == {int(code) for code in provinces}
    assert meta.file_label.startswith("Location quotient 区位商")


def test_stata_names_are_at_most_32_characters_and_keep_the_long_name_in_the_label(published_warehouse):
    import pyreadstat

    settings = published_warehouse
    path = export(settings, "fct_manufacturing_coverage", "dta", "year = 2014", None).path
    _, meta = pyreadstat.read_dta(str(path))
    assert max(len(name) for name in meta.column_names) <= 32
    labels = dict(zip(meta.column_names, meta.column_labels, strict=True))
    assert labels["n_manufacturing_divisions_report"].startswith("n_manufacturing_divisions_reported: ")
    counts = published_rows(
        settings,
        "select province_code, indicator, n_manufacturing_divisions_reported from fct_manufacturing_coverage "
        "where year = 2014 order by province_code, indicator",
    )
    frame, _ = pyreadstat.read_dta(str(path))
    frame = frame.sort_values(["province_code", "indicator"])
    assert frame["province_code"].tolist() == [int(code) for code in counts.province_code]
    assert frame["n_manufacturing_divisions_report"].tolist() == counts.n_manufacturing_divisions_reported.tolist()


def _stata_values(values) -> list:
    """Published values as the .dta holds them (None for Stata's missing and ""): booleans 0/1,
    lists one comma-separated string, an empty list "" as a missing one."""
    out = []
    for value in values:
        if isinstance(value, list):
            out.append(", ".join(value) or None)
        elif value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
            out.append(None)
        else:
            out.append(float(value) if isinstance(value, bool) else value)
    return out


def test_published_tables_export_to_stata_with_their_booleans_and_lists(published_warehouse):
    """The .dta of every table with a list column or a boolean column holding nulls, and of the
    smallest table holding each other column type of the publication, holds the table's rows;
    booleans (nullable ones too) are 0, 1 or missing, lists one comma-separated string, whatever
    pandas makes of DuckDB's types."""
    import pyreadstat

    settings = published_warehouse
    columns = published_rows(
        settings,
        "select c.table_name, c.column_name, c.data_type, t.estimated_size from duckdb_columns() as c "
        "join duckdb_tables() as t using (table_name) where not t.internal order by t.estimated_size, c.table_name",
    )
    nullable = [
        published_rows(settings, f'select count(*) - count("{column}") as n from "{table}"').n[0] > 0
        if data_type == "BOOLEAN"
        else False
        for table, column, data_type in columns[["table_name", "column_name", "data_type"]].values
    ]
    converted = columns.data_type.str.endswith("[]") | pd.Series(nullable, index=columns.index)
    tables = set(columns[converted].table_name)
    for data_type in set(columns.data_type) - set(columns[columns.table_name.isin(tables)].data_type):
        tables.add(columns[columns.data_type == data_type].table_name.iloc[0])
    checked = {"nullable boolean": 0, "list": 0}
    for table in sorted(tables):
        path = export(settings, table, "dta", None, settings.warehouse_dir / "dta" / f"{table}.dta").path
        frame, _ = pyreadstat.read_dta(str(path))
        assert len(frame) == published_rows(settings, f'select count(*) as n from "{table}"').n[0], table
        for column in columns[(columns.table_name == table) & converted].column_name:
            with duckdb.connect(str(settings.published_db), read_only=True) as con:  # lists as Python lists
                published = [row[0] for row in con.execute(f'select "{column}" from "{table}"').fetchall()]
            exported = [None if v == "" or (isinstance(v, float) and pd.isna(v)) else v for v in frame[column]]
            key = repr  # None sorts beside values of any type
            assert sorted(exported, key=key) == sorted(_stata_values(published), key=key), (table, column)
            is_list = any(isinstance(v, list) for v in published)
            checked["list"] += is_list
            checked["nullable boolean"] += not is_list and None in published
    # the samples hold both kinds (mart_hightech_revenue.crosses_series_break has missing values)
    assert checked["nullable boolean"] >= 1 and checked["list"] >= 10, checked


def test_a_region_code_holding_region_groups_is_text_with_their_names_in_every_selection(published_warehouse):
    """fct_hightech_indicator's region_code holds provinces and groups (east, national): it stays
    text whatever the rows selected, so two exports of the table append in Stata, and the groups
    are named from dim_region_group."""
    import pyreadstat

    settings = published_warehouse
    provinces = export(settings, "fct_hightech_indicator", "dta", "region_kind = 'province'", None).path
    everything = export(settings, "fct_hightech_indicator", "dta", None, None).path
    for path in (provinces, everything):
        _, meta = pyreadstat.read_dta(str(path))
        assert meta.readstat_variable_types["region_code"] == "string", path
    frame, _ = pyreadstat.read_dta(str(everything))
    named = published_rows(
        settings,
        "select distinct h.region_code, g.name_en from fct_hightech_indicator as h "
        "join dim_region_group as g on g.group_code = h.region_code",
    )
    assert len(named) >= 1
    exported = dict(zip(frame.region_code, frame.region_name_en, strict=True))
    assert {code: exported[code] for code in named.region_code} == dict(named.values)


def test_excel_csv_starts_with_a_bom_and_keeps_the_chinese(published_warehouse):
    settings = published_warehouse
    path = export(settings, "mart_location_quotient", "csv-excel", YRD_2014, None).path
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfuniverse_code,")
    frame = pd.read_csv(path, encoding="utf-8-sig", dtype={"province_code": str, "industry_code": str})
    expected = expected_lq(settings)
    names = dict(zip(frame["province_code"], frame["province_name_zh"], strict=True))
    assert names == {"310000": "上海", "320000": "江苏", "330000": "浙江", "340000": "安徽"}
    assert set(frame["universe_name_zh"]) == {"长三角"}
    frame = frame.sort_values(["province_code", "industry_code"])
    assert frame["lq"].tolist() == pytest.approx(expected["lq"].tolist(), rel=1e-15)
    # the plain csv stays without a BOM, for scripts
    plain = export(settings, "mart_location_quotient", "csv", YRD_2014, None).path
    assert plain.read_bytes().startswith(b"universe_code,") and plain != path


def test_two_selections_never_share_a_file(published_warehouse, tmp_path):
    settings = published_warehouse
    first = export(settings, "mart_location_quotient", "csv", "year = 2014", None).path
    second = export(settings, "mart_location_quotient", "csv", "year = 2015", None).path
    everything = export(settings, "mart_location_quotient", "csv", None, None).path
    assert len({first, second, everything}) == 3 and everything.name == "mart_location_quotient.csv"
    assert set(pd.read_csv(first)["year"]) == {2014} and set(pd.read_csv(second)["year"]) == {2015}
    # the same selection written again replaces its own file, whatever its spacing or case
    assert export(settings, "mart_location_quotient", "csv", "YEAR=2014", None).path == first
    # OUT= through the Makefile's environment, and no partial file left beside the exports
    out = tmp_path / "mine" / "lq.parquet"
    done = run_make(
        settings,
        "export",
        "TABLE=mart_location_quotient",
        "FORMAT=parquet",
        "WHERE=year = 2014",
        f"OUT={out}",
        tmp_path=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    rows = len(pd.read_csv(first))
    assert done.stdout.strip() == f"Wrote {rows:,} rows of mart_location_quotient to {out}"
    assert duckdb.sql(f"select count(*) from read_parquet('{out}')").fetchall()[0][0] == rows
    assert not list((settings.warehouse_dir / "exports").glob(".*partial"))


def test_the_cli_run_without_make_reads_makes_names_and_says_when_nothing_was_selected(published_warehouse, tmp_path):
    """`python -m orchestration.cli export` with WHERE= and OUT= as make takes them (a do-file or a
    notebook calling the CLI) applies both, and a selection of no rows is written but said."""
    settings = published_warehouse
    out = tmp_path / "yrd.dta"
    where = "universe_code = 'YRD' and year = 2014"  # the codes are published lower-case: no row
    env = {"TABLE": "mart_location_quotient", "FORMAT": "dta", "WHERE": where, "OUT": str(out)}
    done = run_cli(settings, "export", env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"Wrote 0 rows of mart_location_quotient to {out}"
    assert done.stderr.strip() == (
        f"WHERE={where!r} selected no row of mart_location_quotient: the file holds the column names only. "
        'Text is compared exactly as published; make sql Q="select distinct <column> from '
        'mart_location_quotient" lists the values a column holds.'
    )
    assert len(pd.read_stata(out)) == 0
    done = run_cli(settings, "export", env={**env, "WHERE": YRD_2014})
    assert done.stdout.strip() == f"Wrote {len(expected_lq(settings))} rows of mart_location_quotient to {out}"
    frame = pd.read_stata(out, convert_categoricals=False)
    assert len(frame) == len(expected_lq(settings)) > 0 and done.stderr == ""
    # one universe, year and indicator: the rows come sorted by province, then division
    keys = list(zip(frame.province_code, frame.industry_code, strict=True))
    assert keys == sorted(keys) and len(set(frame.province_code)) > 1


def test_xlsx_export_has_a_frozen_header_and_says_what_columns_and_units_are(published_warehouse):
    from openpyxl import load_workbook

    settings = published_warehouse
    path = export(settings, "mart_location_quotient", "xlsx", YRD_2014, None).path
    book = load_workbook(path)
    assert book.sheetnames == ["mart_location_quotient", "columns"]
    data = book["mart_location_quotient"]
    assert data.freeze_panes == "A2"
    rows = list(data.values)
    frame = pd.DataFrame(rows[1:], columns=rows[0]).sort_values(["province_code", "industry_code"])
    assert frame["lq"].tolist() == pytest.approx(expected_lq(settings)["lq"].tolist(), rel=1e-15)
    notes = [row for row in book["columns"].values if row and row[0]]
    described = {row[0]: row[1] for row in notes if len(row) > 1}
    assert described["value"] == "x[i,k], in the indicator's unit (亿元 for revenue, 人 for employment)"
    assert described["province_name_en"] == "English name of province_code"
    assert described["main_business_revenue"] == "亿元"  # the unit of the rows selected
    assert any(str(row[0]).startswith(f"rows: {len(frame)}; WHERE: \"universe_code\" = 'yrd'") for row in notes)
