"""The column_rules test (dbt_project/macros/test_column_rules.sql), which holds a table's key,
not-null, unique and accepted-values rules in one dbt node, in a throwaway dbt project: each rule
fails for what the dbt test it replaces failed for, the failure count is the rows that break a
rule, and each failing row says which rule, column and value in a sentence."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from tests.scratch_dbt import invoke, scratch_project

# (1, x) twice: the key repeats (2 rows); b null once; u3 twice (2 rows); flag z twice, year 2003
# once. A null flag is accepted, as dbt's accepted_values accepts it.
THINGS = """\
select * from (values
    (1, 'x', 'u1', 'reported', 2002, true),
    (1, 'x', 'u2', 'reported', 2007, true),
    (2, 'y', 'u3', 'z', 2002, true),
    (3, 'y', 'u3', 'z', 2003, true),
    (4, null, 'u5', null, 2002, {{ var('flag_false', 'true') }})
) as t (a, b, u, flag, year, checked)
where {{ var('where', 'true') }}
"""

SCHEMA = """\
models:
  - name: things
    data_tests:
      - column_rules:
          name: column_rules_things
          arguments:
            key: [a, b]
            not_null: [b]
            unique: [u]
            accepted_values:
              flag: [reported, suppressed]
              year: [2002, 2007]
              checked: [true]
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("column_rules")
    return scratch_project(root, "test_column_rules.sql", {"things.sql": THINGS, "schema.yml": SCHEMA})


def _build(project: Path, **dbt_vars) -> tuple[str, int, list[tuple]]:
    """`dbt build`: the test's status, its failure count and its failing rows."""
    result = invoke(project, "build", **dbt_vars)
    test = next(r for r in result.result if r.node.resource_type == "test")
    with duckdb.connect(str(project.parent / "build.duckdb")) as con:
        query = f"select rule, column_name, failing_value, n_rows, problem from ({test.node.compiled_code})"
        rows = con.execute(query + " order by all").fetchall()
    return str(test.status), test.failures, rows


def test_each_broken_rule_is_a_row_and_the_failures_count_rows(project):
    status, failures, rows = _build(project)
    assert status == "fail"
    assert failures == 2 + 1 + 2 + 2 + 1
    assert rows == [
        ("accepted_values", "flag", "z", 2, "flag = 'z' in 2 rows: not one of reported, suppressed"),
        ("accepted_values", "year", "2003", 1, "year = '2003' in 1 row: not one of 2002, 2007"),
        ("key", "a, b", "'1', 'x'", 2, "(a, b) = ('1', 'x') in 2 rows: the key repeats"),
        ("not_null", "b", None, 1, "b is null in 1 row"),
        ("unique", "u", "u3", 2, "u = 'u3' in 2 rows: it must be unique"),
    ]


def test_a_boolean_is_compared_as_the_engine_writes_it(project):
    _, _, rows = _build(project, flag_false="false")
    assert ("accepted_values", "checked", "false", 1, "checked = 'false' in 1 row: not one of true") in rows


def test_a_table_that_keeps_every_rule_passes(project):
    status, failures, rows = _build(project, where="u = 'u1'")  # the first row alone
    assert (status, failures, rows) == ("pass", 0, [])
