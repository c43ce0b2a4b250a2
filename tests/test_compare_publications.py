"""scripts/compare_publications.py on two tiny published files: equal, a differing row, an extra
column, a last-ulp float difference, a run stamp."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import duckdb
import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "compare_publications.py"


@pytest.fixture(scope="module")
def script():
    spec = importlib.util.spec_from_file_location("compare_publications", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclass looks its module up while the class is made
    spec.loader.exec_module(module)
    return module


def publication(path: Path, *statements: str) -> Path:
    with duckdb.connect(str(path)) as con:
        con.execute(
            "create table mart_lq as select * replace (lq::double as lq) from (values "
            "('320000', '26', 1.25, true, timestamp '2025-01-01'), "
            "('320000', '26', 1.25, true, timestamp '2025-01-01'), "
            "('330000', '26', 0.75, false, timestamp '2025-01-01')) "
            "as t(province_code, industry_code, lq, is_specialised, published_at)"
        )
        for statement in statements:
            con.execute(statement)
    return path


def run(script, old: Path, new: Path, capsys, *extra: str) -> tuple[int, str]:
    code = script.main([str(old), str(new), *extra])
    return code, capsys.readouterr().out


def test_equal_publications_differ_only_in_their_publish_time(script, tmp_path, capsys):
    old = publication(tmp_path / "old.duckdb")
    new = publication(tmp_path / "new.duckdb", "update mart_lq set published_at = timestamp '2026-06-30'")
    code, out = run(script, old, new, capsys)
    assert code == 0
    assert "| main.mart_lq | 3 | 3 |  |  | 0 | 0 |  |" in out
    assert "mart_lq.published_at" in out  # named as not compared, not silently dropped
    assert "SAME: 1 common tables" in out


def test_a_changed_row_and_a_lost_duplicate_are_counted_both_ways(script, tmp_path, capsys):
    old = publication(tmp_path / "old.duckdb")
    new = publication(
        tmp_path / "new.duckdb",
        "update mart_lq set lq = 0.5 where province_code = '330000'",
        "delete from mart_lq where rowid = 0",  # one of the two identical rows: EXCEPT ALL sees it
    )
    code, out = run(script, old, new, capsys)
    assert code == 1
    assert "| main.mart_lq | 3 | 2 |  |  | 2 | 1 |  |" in out
    assert "main.mart_lq, old not new" in out and "0.75" in out
    assert "main.mart_lq, new not old" in out and "0.5" in out
    assert "DIFFERENT: 1 common table(s) differ in common columns: main.mart_lq" in out


def test_an_added_table_or_column_is_listed_a_removed_one_fails(script, tmp_path, capsys):
    old = publication(tmp_path / "old.duckdb")
    new = publication(
        tmp_path / "new.duckdb",
        "alter table mart_lq add column lq_symmetric double",
        "create table mart_io as select 1 as x",
    )
    code, out = run(script, old, new, capsys)
    assert code == 0
    assert "| main.mart_lq | 3 | 3 |  | lq_symmetric | 0 | 0 |  |" in out
    assert "tables only in new: main.mart_io" in out

    code, out = run(script, new, old, capsys)
    assert code == 1
    assert "| main.mart_lq | 3 | 3 | lq_symmetric |  | 0 | 0 |  |" in out
    assert "1 table(s) of OLD missing from NEW" in out
    assert "1 column(s) of OLD missing from NEW: main.mart_lq.lq_symmetric" in out


def test_a_last_ulp_difference_is_reported_apart_not_as_equal(script, tmp_path, capsys):
    old = publication(
        tmp_path / "old.duckdb", "update mart_lq set lq = 0.15::double / 0.2::double where province_code = '330000'"
    )
    new = publication(tmp_path / "new.duckdb")  # 0.75 exactly; 0.15 / 0.2 is 0.7499999999999999
    code, out = run(script, old, new, capsys)
    assert code == 0
    assert "| main.mart_lq | 3 | 3 |  |  | 1 | 1 | 1 |" in out
    assert "equal to 1e-12 relative (float reassociation, not exact): main.mart_lq 1 rows" in out

    # a difference beyond 1e-12 relative in the same row is a difference
    far = publication(tmp_path / "far.duckdb", "update mart_lq set lq = 0.75 + 1e-9 where province_code = '330000'")
    code, out = run(script, old, far, capsys)
    assert code == 1
    assert "| main.mart_lq | 3 | 3 |  |  | 1 | 1 |  |" in out


def test_ignore_names_a_column_not_to_compare(script, tmp_path, capsys):
    old = publication(tmp_path / "old.duckdb")
    new = publication(tmp_path / "new.duckdb", "update mart_lq set is_specialised = not is_specialised")
    assert run(script, old, new, capsys)[0] == 1
    code, out = run(script, old, new, capsys, "--ignore", "mart_lq.is_specialised")
    assert code == 0
    assert "mart_lq.is_specialised" in out
