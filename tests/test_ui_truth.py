"""What the UI says without running a refresh: the warning when the UI reads another raw directory
than the current publication's, descriptions without raw SQL, and counts with denominators."""

from __future__ import annotations

import json

import dagster as dg
import duckdb

from orchestration.checks.report import count_text
from orchestration.definitions import build_definitions
from orchestration.publish_scope import PUBLISHED_KEY
from orchestration.settings import REPO_ROOT, Settings


def _publication_from(warehouse, raw_dir: str) -> None:
    warehouse.mkdir()
    with duckdb.connect(str(warehouse / "marts.duckdb")) as con:
        con.execute(
            "create table publication_source_file as select 'wind-mbr/江苏.xls' as source_file, 'x' as file_sha256"
        )
        con.execute(
            "create table publication_manifest as select now()::timestamp as published_at, 'r' as run_id, "
            "?::json as manifest",
            [json.dumps({"raw_dir": raw_dir})],
        )


def test_a_ui_on_another_raw_directory_than_the_publication_says_so(tmp_path):
    _publication_from(tmp_path / "warehouse", "/data/yearbook")
    definitions = build_definitions(Settings(REPO_ROOT / "raw", tmp_path / "warehouse"))
    published = definitions.resolve_asset_graph().get(PUBLISHED_KEY).description
    expected = f"The UI was started with RAW_DIR={REPO_ROOT / 'raw'}, but the current publication"
    assert published.startswith(f"WARNING: {expected}") and "built from /data/yearbook" in published
    for automation in (
        definitions.resolve_schedule_def("yearly_refresh"),
        definitions.resolve_sensor_def("raw_files_changed"),
    ):
        assert expected in automation.description
    # the same directory: no warning
    same = build_definitions(Settings(REPO_ROOT / "raw", tmp_path / "none"))
    assert "WARNING" not in same.resolve_asset_graph().get(PUBLISHED_KEY).description


def test_catalog_descriptions_are_dbt_descriptions_and_say_build_not_published():
    graph = build_definitions(Settings(REPO_ROOT / "raw", REPO_ROOT / "warehouse")).resolve_asset_graph()
    description = graph.get(dg.AssetKey(["marts", "mart_location_quotient"])).description
    assert description.startswith("Location quotient")
    assert "Raw SQL" not in description and "```" not in description
    assert "Build — not published" in description
    assert "Build — not published" in graph.get(dg.AssetKey(["raw", "wind_mbr"])).description


def test_counts_have_denominators():
    assert (
        count_text(
            {
                "success": False,
                "unexpected_count": 11,
                "element_count": 5230,
                "element_label": "rows of int_cells_labelled",
            }
        )
        == "11 of 5230 rows of int_cells_labelled"
    )
    assert (
        count_text({"success": False, "unexpected_count": 1, "value_cells": 11})
        == "1 header cell (11 value cells below)"
    )
    assert count_text({"success": False, "unexpected_count": 3}) == "3"
    assert count_text({"success": True, "unexpected_count": None}) == "—"


def test_building_the_definitions_prints_no_ui_sentence_outside_the_ui(tmp_path, capsys, caplog):
    """`make run` builds the definitions too: a sentence about "the UI" there would be false. The
    warning lives in the descriptions the UI shows (above)."""
    _publication_from(tmp_path / "warehouse", "/data/yearbook")
    with caplog.at_level("DEBUG"):
        build_definitions(Settings(REPO_ROOT / "raw", tmp_path / "warehouse"))
    printed = capsys.readouterr()
    shown = printed.out + printed.err + caplog.text
    assert "The UI was started" not in shown


def test_the_validation_report_counts_rules_and_sections(tmp_path):
    """Two sections, five rules: one blocking failure, two warnings (one of them in each section)."""
    from orchestration.checks import report

    def rule(success: bool, severity: str) -> dict:
        return {"success": success, "severity": severity, "expectation": "e", "column": "c", "kwargs": {}}

    report.record(tmp_path, "r1", "a_suite", {"title": "A", "results": [rule(True, "error"), rule(False, "warning")]})
    page = report.record(
        tmp_path,
        "r1",
        "b_suite",
        {"title": "B", "results": [rule(False, "error"), rule(False, "warning"), rule(True, "error")]},
    )
    text = page.read_text(encoding="utf-8")
    assert "<b>1</b> blocking failures and <b>2</b> warnings among the 5 rules of the 2 sections below." in text


def test_a_dbt_column_rules_test_counts_as_the_rules_it_holds(tmp_path):
    """One dbt test holding a table's key, two not-null rules and an accepted-values rule is four
    rules; two of them broken (failing rows of two rules) are two blocking failures."""
    from orchestration.checks import report
    from orchestration.checks.dbt_results import _add_element_count, _add_failing_sample, _data_test_result

    node = {
        "name": "column_rules_things",
        "config": {"severity": "ERROR"},
        "test_metadata": {
            "name": "column_rules",
            "kwargs": {"key": ["a", "b"], "not_null": ["a", "c"], "accepted_values": {"flag": ["x", "y"]}},
        },
    }
    result = _data_test_result(node, {"status": "fail", "failures": 5, "message": "Got 3 results"})
    assert result["rules"] == 4
    assert result["why"] == "key: a, b; not null: a, c; accepted values: flag"
    with duckdb.connect() as con:
        failing = (
            "select * from (values ('key', 'a, b', '1, x', 2, 'p1'), ('not_null', 'c', null, 1, 'p2'),"
            " ('key', 'a, b', '2, y', 2, 'p3')) as t (rule, column_name, failing_value, n_rows, problem)"
        )
        _add_failing_sample(con, result, failing)
    assert result["broken_rules"] == 2
    with duckdb.connect() as con:
        con.execute("create table things as select range as a from range(7)")
        _add_element_count(con, result, {"name": "things", "relation_name": "things"})
    assert report.count_text(result) == "5 of 7 rows of things (a row counted once per rule it breaks)"
    page = report.record(tmp_path, "r1", "dbt_tests", {"title": "dbt", "results": [result]})
    assert "<b>2</b> blocking failures and <b>0</b> warnings among the 4 rules of the 1 section below." in (
        page.read_text(encoding="utf-8")
    )
    # the run's summary in the UI counts the same way and shows the rows' sentences
    summary = report.markdown_summary(tmp_path, "r1").splitlines()
    assert summary[0].startswith("**2 blocking failures, 0 warnings**")
    assert summary[-1].endswith("| p1; p3; p2 |")


def test_a_failure_with_more_rows_than_it_shows_says_how_many_more():
    """Three sentences are printed; a test that returned five rows says so."""
    from orchestration.checks.dbt_results import _add_failing_sample, explain_failed_tests

    result = {"expectation": "column_rules_things", "success": False, "severity": "error", "sample": []}
    result.update(source="dbt test", unexpected_count=9, message="Got 5 results")
    with duckdb.connect() as con:
        _add_failing_sample(con, result, "select 'p' || range as problem from range(5)")
    text, table = explain_failed_tests([result])
    assert text.splitlines() == [
        "dbt test column_rules_things failed for 9:",
        "- p0",
        "- p1",
        "- p2",
        "- and 2 more like these (the test's failing rows)",
    ]
    assert table.splitlines()[-1] == "| column_rules_things | 9 | p0; p1; p2; and 2 more |"


def test_failing_rows_beyond_those_fetched_are_counted(monkeypatch):
    from orchestration.checks import dbt_results

    monkeypatch.setattr(dbt_results, "FETCHED_ROWS", 3)
    result = {"message": None}
    with duckdb.connect() as con:
        dbt_results._add_failing_sample(con, result, "select 'p' || range as problem from range(5)")
    assert result["failing_rows"] == 5
    assert [row["problem"] for row in result["sample"]] == ["p0", "p1", "p2"]
