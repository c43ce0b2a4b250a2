"""The project's DuckDB table and view materializations (dbt_project/macros/table_materialization.sql,
view_materialization.sql) in a throwaway dbt project: each replaces a relation of either kind,
keeps the previous one when the new one fails, still enforces the contract, and leaves no
relations of dbt's rename dance behind."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from tests.scratch_dbt import invoke, scratch_project

MODEL = """\
{{ config(materialized=var('materialized', 'table'), contract={'enforced': var('contract', True)}) }}
select n as {{ var('column', 'n') }}
from {{ var('source', 'range') }}(1, {{ var('rows', 2) }} + 1) as numbers (n)
where cast('{{ var('guard', '1') }}' as integer) = 1
"""

SCHEMA = """\
models:
  - name: numbers
    columns:
      - {name: n, data_type: bigint}
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return scratch_project(
        tmp_path,
        ("table_materialization.sql", "view_materialization.sql", "replace_relation.sql"),
        {"numbers.sql": MODEL, "schema.yml": SCHEMA},
    )


def _run(project: Path, **dbt_vars) -> tuple[bool, str]:
    """`dbt run`: whether it succeeded, and the messages of the nodes that did not."""
    result = invoke(project, "run", **dbt_vars)
    failures = [] if result.result is None else [r.message or "" for r in result.result if r.status != "success"]
    return result.success, "\n".join(failures) + str(result.exception or "")


def _relations(project: Path) -> dict[str, tuple[str, int]]:
    with duckdb.connect(str(project.parent / "build.duckdb")) as con:
        names = con.execute("select table_name, table_type from information_schema.tables").fetchall()
        return {name: (kind, con.execute(f'select count(*) from "{name}"').fetchone()[0]) for name, kind in names}


def test_a_rebuild_replaces_the_table_and_leaves_nothing_beside_it(project):
    assert _run(project, rows=2)[0]
    assert _relations(project) == {"numbers": ("BASE TABLE", 2)}
    assert _run(project, rows=5)[0]
    assert _relations(project) == {"numbers": ("BASE TABLE", 5)}


def test_a_rebuild_replaces_the_view_and_leaves_nothing_beside_it(project):
    assert _run(project, materialized="view", rows=2)[0]
    assert _relations(project) == {"numbers": ("VIEW", 2)}
    assert _run(project, materialized="view", rows=5)[0]
    assert _relations(project) == {"numbers": ("VIEW", 5)}


def test_a_view_of_the_same_name_becomes_the_table(project):
    assert _run(project, materialized="view", rows=3)[0]
    assert _relations(project) == {"numbers": ("VIEW", 3)}
    assert _run(project, rows=4)[0]
    assert _relations(project) == {"numbers": ("BASE TABLE", 4)}


def test_a_table_of_the_same_name_becomes_the_view(project):
    assert _run(project, rows=4)[0]
    assert _relations(project) == {"numbers": ("BASE TABLE", 4)}
    assert _run(project, materialized="view", rows=3)[0]
    assert _relations(project) == {"numbers": ("VIEW", 3)}


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"guard": "x"}, "Could not convert string 'x'"),  # fails at run time, inside the transaction
        ({"column": "m"}, "enforced contract that failed"),  # the contract is still enforced
    ],
    ids=["run-time error", "contract"],
)
def test_a_failing_build_keeps_the_previous_table(project, change, error):
    assert _run(project, rows=2)[0]
    succeeded, message = _run(project, rows=7, **change)
    assert not succeeded
    assert error in message
    # a drop of the old table is rolled back with the failed create
    assert _relations(project) == {"numbers": ("BASE TABLE", 2)}


@pytest.mark.parametrize(
    ("change", "error"),
    [
        # without a contract nothing checks the SQL before the drop: DuckDB's bind of the new view fails
        ({"source": "no_such_function", "contract": False}, "no_such_function"),
        ({"column": "m"}, "enforced contract that failed"),  # the contract is still enforced
    ],
    ids=["bind error", "contract"],
)
def test_a_failing_build_keeps_the_previous_view(project, change, error):
    assert _run(project, materialized="view", rows=2, contract=change.get("contract", True))[0]
    succeeded, message = _run(project, materialized="view", rows=7, **change)
    assert not succeeded
    assert error in message
    # a drop of the old view is rolled back with the failed create
    assert _relations(project) == {"numbers": ("VIEW", 2)}
