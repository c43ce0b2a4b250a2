"""One definition of whitespace for labels: dbt's normalise_label and Python's agree."""

from __future__ import annotations

import csv

import duckdb
import pytest

from orchestration.ingest.cells import normalise_label
from orchestration.settings import DBT_PROJECT_DIR

WHITESPACE = [
    "\t",
    "\n",
    "\r",
    " ",
    "\u0085",
    "\u00a0",
    "\u1680",
    "\u2002",
    "\u2003",
    "\u200a",
    "\u200b",
    "\u2028",
    "\u202f",
    "\u205f",
    "\u3000",
    "\ufeff",
]


def seed_labels() -> list[str]:
    labels = []
    for seed, column in [
        ("province_alias", "alias"),
        ("region_group_alias", "alias"),
        ("industry_label_official", "label"),
        ("industry_label_variant", "label"),
    ]:
        with open(DBT_PROJECT_DIR / "seeds" / f"{seed}.csv", encoding="utf-8") as handle:
            labels += [row[column] for row in csv.DictReader(handle)]
    return labels


def printed_labels(yearbook_dir) -> list[str]:
    """Labels as the real extracts print them: the employment panel's header and provinces."""
    with open(yearbook_dir / "employment" / "CityEmp.csv", encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    return rows[0] + sorted({row[0] for row in rows[1:]})


def sql_normaliser(compiled_models) -> str:
    """The expression dbt compiled from the normalise_label macro, applied to `label`."""
    sql = compiled_models["int_province_alias"]
    start = sql.index("regexp_replace(")
    end = sql.index("'g')", start) + len("'g')")
    return sql[start:end].replace("alias", "label", 1)


def test_sql_and_python_normalise_every_label_alike(compiled_models, yearbook_dir):
    padded = [f"北{space}京" for space in WHITESPACE] + [f"{space}制造业{space}{space}" for space in WHITESPACE]
    corpus = seed_labels() + printed_labels(yearbook_dir) + padded + ["北  京", "黑 龙 江", "内蒙古\u3000自治区"]
    con = duckdb.connect()
    con.execute("create table corpus (label varchar)")
    con.executemany("insert into corpus values (?)", [[label] for label in corpus])
    in_sql = [row[0] for row in con.execute(f"select {sql_normaliser(compiled_models)} from corpus").fetchall()]
    assert in_sql == [normalise_label(label) for label in corpus]
    # every kind of space goes, in SQL as in Python: U+3000 (DuckDB's \s keeps it) included
    assert set(in_sql[-len(padded) - 3 :]) == {"北京", "制造业", "黑龙江", "内蒙古自治区"}
    assert len(corpus) > 200


@pytest.mark.parametrize("space", WHITESPACE)
def test_python_removes_each_kind_of_space(space):
    assert normalise_label(f"北{space}京") == "北京"
