"""Any pair, any span, without a rebuild: a pair the refresh did not pre-build is computed at report
time by the dbt models' compiled SQL against the published file, which stays byte for byte the same,
and gives the numbers a refresh that pre-builds the pair publishes."""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import duckdb
import numpy as np
import pandas as pd
import pytest

from orchestration.publication_guard import compare_with_publication
from orchestration.published_connection import confine, refusal
from orchestration.report import pair_compute, render, write_report
from orchestration.report.asset import ComparisonReportConfig, comparison_reports
from orchestration.report.sections import ReportError, collect
from orchestration.resources import WarehouseResource
from orchestration.settings import DBT_PROJECT_DIR, REPO_ROOT, ComparisonPair

from .conftest import copy_publication, run_refresh

pytestmark = pytest.mark.refresh

# On the samples east has six members with data (Beijing, Tianjin, Hebei, Shanghai, Jiangsu, Zhejiang)
# and central one (Anhui) for revenue; the employment panel covers every province.
EAST_CENTRAL = ComparisonPair("east", "central", 2006, 2013)
USER_PAIR = ComparisonPair("shanghai_jiangsu", "zhejiang_anhui", 2005, 2014)
DEFAULT_PAIR = ComparisonPair("yrd", "jjj", 2005, 2014)
TOLERANCE = 1e-12


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def published(sample_publication_with_groups, tmp_path_factory):
    """The samples published with the default pair only (yrd:jjj:2005:2014), and the example groups
    file: a copy of the session's publication (tests/conftest.py), written beside by the reports."""
    return copy_publication(sample_publication_with_groups, tmp_path_factory.mktemp("default_pair") / "warehouse")


@pytest.fixture(scope="module")
def prebuilt(sample_publication_with_pairs):
    """The same samples published with the report-time pairs pre-built by the refresh: the
    session's publication with PREBUILT_PAIRS (tests/conftest.py), shared with test_report.py."""
    return sample_publication_with_pairs


def _in_key_order(frame: pd.DataFrame) -> pd.DataFrame:
    keys = [c for c in frame.columns if not pd.api.types.is_float_dtype(frame[c])]  # lists too, as text
    rows = [tuple(str(v) for v in row) for row in frame[keys].itertuples(index=False)]
    return frame.iloc[sorted(range(len(rows)), key=rows.__getitem__)].reset_index(drop=True)


def assert_frames_agree(left: pd.DataFrame, right: pd.DataFrame, what: str) -> None:
    """Same rows (in key order); every non-float column equal, every float column within TOLERANCE of
    the column's largest magnitude (at least 1)."""
    assert list(left.columns) == list(right.columns), what
    left, right = _in_key_order(left), _in_key_order(right)
    assert len(left) == len(right), f"{what}: {len(left)} rows against {len(right)}"
    for column in left.columns:
        a, b = left[column], right[column]
        if pd.api.types.is_float_dtype(a):
            a, b = a.to_numpy(dtype=float), b.to_numpy(dtype=float)
            assert (np.isnan(a) == np.isnan(b)).all(), f"{what}.{column}: nulls differ"
            scale = max(1.0, float(np.nanmax(np.abs(a))) if (~np.isnan(a)).any() else 1.0)
            assert np.nanmax(np.abs(a - b), initial=0.0) <= TOLERANCE * scale, f"{what}.{column}"
        else:
            assert [str(v) for v in a] == [str(v) for v in b], f"{what}.{column}"


def pair_rows(con, table: str, pair: ComparisonPair) -> pd.DataFrame:
    """Every row of a mart for the pair's universes (both groups and their union)."""
    key = "group_code" if table in pair_compute.GROUP_KEYED else "universe_code"
    return con.execute(
        f"select * from {table} where {key} in (?, ?, ?) order by all", [pair.a, pair.b, pair.union_code]
    ).df()


@pytest.mark.parametrize(
    ("pair", "indicator"),
    [(EAST_CENTRAL, "employment"), (USER_PAIR, "main_business_revenue")],
    ids=lambda v: pair_compute.pair_text(v) if isinstance(v, ComparisonPair) else v,
)
def test_a_pair_not_prebuilt_is_reported_without_a_rebuild(published, prebuilt, tmp_path, pair, indicator):
    before = sha256(published.published_db)
    started = time.perf_counter()
    files = write_report(published.published_db, pair, indicator, tmp_path)
    print(f"report of {pair_compute.pair_text(pair)} ({indicator}): {time.perf_counter() - started:.1f} s")
    assert sha256(published.published_db) == before
    assert files.computed.startswith(f"{pair_compute.pair_text(pair)} is not pre-built")
    assert files.html.stat().st_size > 10_000 and files.workbook.stat().st_size > 5_000
    # the page and the workbook say the pair was computed, not read from published marts
    page = files.html.read_text(encoding="utf-8")
    assert html.escape(files.computed) in page and html.escape(render.READ_FROM_MARTS) not in page
    about = pd.read_excel(files.workbook, sheet_name="about").set_index("key")["value"]
    assert about["numbers"] == files.computed
    # money is at current prices, and the page and the workbook say so; persons have no price basis
    assert ("at current prices (nominal)" in about["indicator"]) == (indicator == "main_business_revenue")
    head = page[: page.index("<nav")]  # the page's note on the indicator; §6 and §10 are in 亿元 whatever it is
    assert ("at current prices (nominal)" in head) == (indicator == "main_business_revenue")

    # every table of every section is the one the refresh-built pair gives
    scratch, _ = pair_compute.open_for_report(published.published_db, pair)
    with scratch, duckdb.connect(str(prebuilt.published_db), read_only=True) as refreshed:
        computed, expected = collect(scratch, pair, indicator), collect(refreshed, pair, indicator)
        for got, want in zip(computed.sections, expected.sections, strict=True):
            assert got.context == want.context, got.number
            for name, frame in want.tables.items():
                assert len(frame) > 0 or name not in ("krugman_vs_rest", "bilateral", "location_quotients"), name
                assert_frames_agree(got.tables[name], frame, f"section {got.number} {name}")
        assert len(computed.sections[4].tables["location_quotients"]) > 20
        # the samples print a manufacturing total for revenue, none for employment: section 1 then sums
        # the members' divisions and says so where it names the industry set, and in the chart's title
        output, summed = computed.sections[0], indicator == "employment"
        assert output.context["industry set"].startswith("the manufacturing divisions each member reports") == summed
        assert output.charts[0].title.startswith("Sum of the members' manufacturing divisions") == summed
        assert output.charts[0].title.startswith("Manufacturing total 制造业合计") != summed
        assert ("output_by_year" in output.titles) == summed
    assert sha256(published.published_db) == before


def test_groups_that_share_provinces_are_reported_with_each_shared_province_once_per_group(published, tmp_path):
    """yrd (Shanghai, Jiangsu, Zhejiang, Anhui) against zhejiang_anhui: Zhejiang and Anhui are members of
    both, and their Krel against the rest of each group are two series, named with the group."""
    pair = ComparisonPair("yrd", "zhejiang_anhui", 2005, 2014)
    files = write_report(published.published_db, pair, "main_business_revenue", tmp_path)
    # the publication's time to the second, in UTC as publish records it
    assert re.search(r"Published \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC ", files.html.read_text(encoding="utf-8"))
    scratch, _ = pair_compute.open_for_report(published.published_db, pair)
    with scratch:
        section = collect(scratch, pair, "main_business_revenue").sections[2]
    (chart,) = section.charts
    assert list(chart.data.columns) == [
        "上海 Shanghai",
        "江苏 Jiangsu",
        "浙江 Zhejiang (yrd)",
        "安徽 Anhui (yrd)",
        "浙江 Zhejiang (zhejiang_anhui)",
        "安徽 Anhui (zhejiang_anhui)",
    ]
    krel = section.tables["krel_by_year"].set_index(["universe_code", "province"])
    # against the rest of yrd (three others) and against the other one of zhejiang_anhui: not the same
    assert chart.data["安徽 Anhui (yrd)"].tolist() == krel.loc[("yrd", "安徽 Anhui")].tolist()
    assert chart.data["安徽 Anhui (zhejiang_anhui)"].tolist() == krel.loc[("zhejiang_anhui", "安徽 Anhui")].tolist()
    assert chart.data["安徽 Anhui (yrd)"].tolist() != chart.data["安徽 Anhui (zhejiang_anhui)"].tolist()


@pytest.mark.parametrize("pair", [EAST_CENTRAL, USER_PAIR], ids=pair_compute.pair_text)
def test_report_time_marts_equal_the_refresh_built_pair(published, prebuilt, pair):
    """Every column of every mart computed for the pair, against the refresh that pre-built it."""
    plan = pair_compute.load_plan()
    scratch = pair_compute.compute_pair(pair, published.published_db, plan)
    pair_compute.add_report_catalog(scratch, plan)
    with scratch, duckdb.connect(str(prebuilt.published_db), read_only=True) as refreshed:
        for table in plan.targets:
            expected = pair_rows(refreshed, table, pair)
            if "industry_set" in expected.columns:
                # the refresh of two pairs holds sets of the other pair's groups too
                expected = expected[
                    expected["industry_set"].isin(["year_common", pair.span_set, pair.pair_set])
                ].reset_index(drop=True)
                assert {pair.span_set, pair.pair_set} <= set(expected["industry_set"]), table
            assert_frames_agree(pair_rows(scratch, table, pair), expected, table)


def test_a_prebuilt_pair_computed_again_is_the_published_one(published):
    plan = pair_compute.load_plan()
    with pair_compute.compute_pair(DEFAULT_PAIR, published.published_db, plan) as scratch:
        for table, relation in plan.targets.items():
            key = "group_code" if table in pair_compute.GROUP_KEYED else "universe_code"
            columns = ", ".join(
                f'"{c}"'
                for (c,) in scratch.execute(
                    "select column_name from duckdb_columns() where database_name = 'published' and table_name = ? "
                    "order by column_index",
                    [table],
                ).fetchall()
            )
            where = f"where {key} in ('yrd', 'jjj', 'yrd+jjj') order by all"
            got = scratch.execute(f"select {columns} from {relation} {where}").df()
            want = scratch.execute(f"select {columns} from published.main.{table} {where}").df()
            assert len(want) > 0, table
            assert_frames_agree(got, want, table)


def test_the_substituted_sql_is_what_dbt_compiles_for_the_pair(tmp_path):
    plan = pair_compute.load_plan()
    models = [m["name"] for m in plan.models if pair_compute.pairs_relation(pair_compute.PLACEHOLDER) in m["sql"]]
    assert sorted(models) == ["int_metric_input", "int_region_group", "int_region_group_member"]
    vars_ = {"comparison_pairs": pair_compute.pair_text(EAST_CENTRAL)}
    subprocess.run(
        [
            str(Path(sys.executable).parent / "dbt"),
            "compile",
            "--profiles-dir",
            ".",
            "--target-path",
            str(tmp_path / "target"),
            "--quiet",
            "--vars",
            json.dumps(vars_),
            "--select",
            *models,
        ],
        cwd=DBT_PROJECT_DIR,
        env={**os.environ, "WAREHOUSE_DIR": str(tmp_path)},
        check=True,
        capture_output=True,
    )
    compiled = {
        path.stem: path.read_text(encoding="utf-8")
        for path in (tmp_path / "target" / "compiled").rglob("*.sql")
        if path.stem in models
    }
    substituted = dict(zip([m["name"] for m in plan.models], [sql for _, sql in plan.sql_for(EAST_CENTRAL)]))
    for name in models:
        assert substituted[name] == compiled[name].rstrip("\n") or substituted[name] == compiled[name], name


def test_make_report_without_a_pair_says_what_to_name_without_importing_dagster(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("REPORT_")}
    env.update(WAREHOUSE_DIR=str(tmp_path), PYTHONPROFILEIMPORTTIME="1")
    ran = subprocess.run(
        [sys.executable, "-m", "orchestration.cli", "report"], cwd=REPO_ROOT, env=env, capture_output=True, text=True
    )
    assert ran.returncode == 1
    assert "Name two region groups and a span: make report A=yrd B=jjj FROM=2005 TO=2014" in ran.stderr
    imported = {line.rsplit("|", 1)[-1].strip() for line in ran.stderr.splitlines() if line.startswith("import time:")}
    assert "orchestration.settings" in imported  # the command line ran
    assert not {name for name in imported if name.split(".")[0] in ("dagster", "dagster_dbt", "dbt")}


def test_groups_and_spans_outside_the_publication_are_refused(published, tmp_path):
    with pytest.raises(ReportError, match="region group 'mars' is not published"):
        write_report(published.published_db, ComparisonPair("mars", "jjj", 2005, 2014), "employment", tmp_path)
    with pytest.raises(ReportError, match=r"FROM=1990 TO=2014: the published facts span \d{4}–\d{4}"):
        write_report(published.published_db, ComparisonPair("yrd", "jjj", 1990, 2014), "employment", tmp_path)


def test_the_launchpad_chooses_the_pair(published):
    before = sha256(published.published_db)
    resource = WarehouseResource(raw_dir=str(REPO_ROOT / "raw"), warehouse_dir=str(published.warehouse_dir))
    config = {"a": "east", "b": "central", "year_from": 2006, "year_to": 2013, "indicator": "employment"}
    result = dg.materialize(
        [comparison_reports],
        resources={"warehouse": resource},
        run_config={"ops": {"published__comparison_reports": {"config": config}}},
    )
    assert result.success
    metadata = result.asset_materializations_for_node("published__comparison_reports")[0].metadata
    assert "is not pre-built" in metadata["east_vs_central_2006_2013_computed"].value
    html = published.warehouse_dir / "comparison-reports" / "east_vs_central_2006_2013_employment.html"
    assert metadata["east_vs_central_2006_2013_html"].value == html.resolve().as_uri() and html.exists()
    assert sha256(published.published_db) == before
    # half a pair is refused, saying what to set
    with pytest.raises(dg.Failure, match="Set all of a, b, year_from and year_to"):
        dg.materialize(
            [comparison_reports],
            resources={"warehouse": resource},
            run_config={"ops": {"published__comparison_reports": {"config": {"a": "east"}}}},
        )
    assert ComparisonReportConfig().a == ""  # empty: the pairs of REPORT_PAIRS, as the refresh does


def test_the_guard_names_a_pair_a_refresh_would_stop_publishing(published, prebuilt):
    # the second refresh's build lacks yrd:jjj:2005:2014, which the first publication holds
    dropped = compare_with_publication(prebuilt.build_db, published.published_db, published.raw_dir)
    sentences = [s for s in dropped.intended_only if "comparison pair" in s]
    assert len(sentences) == 1
    assert "comparison pair(s) yrd:jjj:2005:2014, which this refresh does not build" in sentences[0]
    assert dropped.problems(allow_changes=True) == dropped.always_blocking
    # and the other way round it names both pairs the first build lacks
    back = compare_with_publication(published.build_db, prebuilt.published_db, published.raw_dir)
    assert any(
        "east:central:2006:2013, shanghai_jiangsu:zhejiang_anhui:2005:2014, which this refresh" in s
        for s in back.intended_only
    )
    # a build that keeps the pairs says nothing of them
    same = compare_with_publication(published.build_db, published.published_db, published.raw_dir)
    assert not [s for s in same.intended_only if "comparison pair" in s]


@pytest.mark.real_data
def test_time_of_a_report_time_pair_on_the_real_extracts(yearbook_dir, request, tmp_path):
    """The user's path (what `make report` runs after its setup) on a real publication: timed, printed."""
    if os.environ.get("REAL_PUBLICATION_DIR"):
        warehouse = Path(os.environ["REAL_PUBLICATION_DIR"])
        if not (warehouse / "marts.duckdb").exists():
            result, _ = run_refresh(yearbook_dir, warehouse)
            assert result.success, [e.message for e in result.all_events if e.is_failure]
    else:  # the session's real publication; the report is written beside a copy of it
        warehouse = copy_publication(request.getfixturevalue("real_publication"), tmp_path / "warehouse").warehouse_dir
    pair_compute.load_plan()  # compiled once per version of the dbt project, as the refresh does
    before = sha256(warehouse / "marts.duckdb")
    env = {
        **os.environ,
        "RAW_DIR": str(yearbook_dir),
        "WAREHOUSE_DIR": str(warehouse),
        "REPORT_A": "east",
        "REPORT_B": "central",
        "REPORT_FROM": "2006",
        "REPORT_TO": "2013",
        "REPORT_INDICATOR": "employment",
    }
    started = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, "-m", "orchestration.cli", "report"], cwd=REPO_ROOT, env=env, capture_output=True, text=True
    )
    seconds = time.perf_counter() - started
    assert completed.returncode == 0, completed.stderr
    print(f"\nreal extracts, east:central:2006:2013 employment, report-time pair: {seconds:.1f} s\n{completed.stdout}")
    assert "is not pre-built in the publication" in completed.stdout
    assert sha256(warehouse / "marts.duckdb") == before


# The replication notebook, on the same publication.

NOTEBOOK = REPO_ROOT / "examples" / "replication_yrd_jjj.py"
# what the test reads back from the executed notebook: its tables' cells, as JSON
READ_BACK = """
import json
print(json.dumps({
    "output_shanghai_2014": figure1_output.loc["上海", 2014],
    "growth_jiangsu_2010": figure1_growth.loc["江苏", 2010],
    "technology_share_shanghai_2010_2014": table2.loc[("yrd", "上海"), ("2010–2014", "technology")],
    "bilateral_shanghai_hebei_2014": table3[2014].loc["上海", "河北"],
    "specialised_zhejiang_2014": int(table4.loc[(2014, "浙江"), "n_divisions"]),
    "krel_jiangsu_2012": figure2.loc[("yrd", "江苏"), 2012],
    "warehouse_dir": str(WAREHOUSE_DIR),
    "growth_across_breaks": int(figure1.series_breaks.notna().sum()),
}))
"""


def test_the_replication_notebook_rebuilds_the_tables_from_the_publication(published, tmp_path, monkeypatch):
    import jupytext
    import nbformat
    from nbclient import NotebookClient

    # a kernel spec of this interpreter in a scratch JUPYTER_PATH: no hand step, any virtualenv
    spec = tmp_path / "jupyter" / "kernels" / "warehouse-python"
    spec.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (spec / "kernel.json").write_text(json.dumps({"argv": argv, "display_name": "warehouse", "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    # opened in Jupyter from a checkout's examples/, without WAREHOUSE_DIR: the checkout's warehouse/
    monkeypatch.delenv("WAREHOUSE_DIR", raising=False)
    checkout = tmp_path / "checkout"
    (checkout / "examples").mkdir(parents=True)
    (checkout / "warehouse").symlink_to(published.warehouse_dir)
    notebook = jupytext.read(NOTEBOOK)
    notebook.cells.append(nbformat.v4.new_code_cell(READ_BACK))
    client = NotebookClient(
        notebook,
        kernel_name="warehouse-python",
        timeout=300,
        resources={"metadata": {"path": str(checkout / "examples")}},
    )
    client.execute()
    got = json.loads(notebook.cells[-1].outputs[0]["text"])

    with duckdb.connect(str(published.published_db), read_only=True) as con:

        def one(sql: str):
            return con.execute(sql).fetchone()[0]

        revenue = "indicator = 'main_business_revenue'"
        assert got["output_shanghai_2014"] == one(
            f"select value from fct_industry_indicator where province_code = '310000' and industry_code = 'C' "
            f"and year = 2014 and {revenue}"
        )
        assert got["growth_jiangsu_2010"] == one(
            f"select growth_rate from mart_growth where province_code = '320000' and industry_code = 'C' "
            f"and base_year = 2009 and year = 2010 and {revenue}"
        )
        assert got["technology_share_shanghai_2010_2014"] == pytest.approx(
            100
            * one(
                "select avg(share) from mart_intensity_shares_by_set where universe_code = 'yrd' "
                f"and industry_set = 'span_2005_2014' and province_code = '310000' and intensity_class = 'technology' "
                f"and year between 2010 and 2014 and {revenue}"
            ),
            rel=1e-12,
        )
        assert got["bilateral_shanghai_hebei_2014"] == one(
            "select krugman_bilateral from mart_specialization_bilateral_by_set where universe_code = 'yrd+jjj' "
            "and industry_set = 'pair_yrd_jjj_2005_2014' and province_code = '310000' "
            f"and partner_province_code = '130000' and year = 2014 and {revenue}"
        )
        assert got["specialised_zhejiang_2014"] == one(
            "select count(*) from mart_location_quotient_by_set where universe_code = 'yrd' "
            "and industry_set = 'span_2005_2014' and province_code = '330000' and year = 2014 and lq >= 1 "
            f"and {revenue}"
        )
        assert got["krel_jiangsu_2012"] == one(
            "select krugman_vs_rest from mart_specialization_relative_by_set where universe_code = 'yrd' "
            f"and industry_set = 'span_2005_2014' and province_code = '320000' and year = 2012 and {revenue}"
        )
    assert got["specialised_zhejiang_2014"] > 0
    assert got["warehouse_dir"] == str(checkout / "warehouse")
    # the growth rates across a break are listed, not left out (the samples cross the 2011 change)
    with duckdb.connect(str(published.published_db), read_only=True) as con:
        crossing = con.execute(
            "select count(*) from mart_growth as g join mart_group_member_share as s "
            "on s.province_code = g.province_code and s.year = g.year and s.indicator = g.indicator "
            "and s.industry_code = g.industry_code "
            "where s.group_code in ('yrd', 'jjj') and g.industry_code = 'C' and g.indicator = 'main_business_revenue' "
            "and g.base_year = g.year - 1 and g.year between 2005 and 2014 and g.series_breaks is not null"
        ).fetchone()[0]
    assert got["growth_across_breaks"] == crossing >= 1


def test_a_computed_pair_is_read_through_a_confined_connection(published):
    """The report reads a pair it computed as it reads a published one: nothing outside the warehouse."""
    scratch, note = pair_compute.open_for_report(published.published_db, EAST_CENTRAL)
    assert note.startswith(pair_compute.pair_text(EAST_CENTRAL))
    with scratch:
        confine(scratch)
        assert scratch.execute("select count(*) from dim_province").fetchone()[0] == 31
        with pytest.raises(duckdb.Error) as error:
            scratch.execute("select * from read_text('/etc/hostname')")
        assert refusal(error.value) == "Refused: this tool reads only the published warehouse, not /etc/hostname."


def test_the_refresh_summary_lists_its_own_reports_apart_from_earlier_ones(published, tmp_path, capsys, monkeypatch):
    """`make run` names the reports this publication wrote; a report `make report` wrote before it is
    counted apart, as from an earlier publication, not listed as if it were new."""
    from orchestration.cli import summarise

    settings = copy_publication(published, tmp_path / "warehouse")
    reports = settings.comparison_reports_dir
    default = reports / "yrd_vs_jjj_2005_2014_main_business_revenue.html"
    assert default.exists()
    (reports / "east_vs_central_2006_2013_employment.html").write_text("an earlier report", encoding="utf-8")
    earlier = sorted(set(reports.glob("*.html")) - {default})
    monkeypatch.delenv("REPORT_PAIRS", raising=False)  # the refresh's pairs: the default one
    summarise(settings, run_id="none")
    lines = capsys.readouterr().out.splitlines()
    assert [line for line in lines if line.startswith("Comparison report:")] == [
        f"Comparison report: {default} (and .xlsx)"
    ]
    many = len(earlier) != 1
    assert (
        f"  {len(earlier)} other report{'s' if many else ''} in {reports} {'were' if many else 'was'} written from "
        "an earlier publication (make report A=... B=... writes one from this one)"
    ) in lines
    # a default report older than the publication (its report step failed after publishing) is not this run's
    os.utime(default, (0, 0))
    summarise(settings, run_id="none")
    lines = capsys.readouterr().out.splitlines()
    assert not [line for line in lines if line.startswith("Comparison report:")]
    assert any(line.startswith(f"  {len(earlier) + 1} other reports in {reports} were written from") for line in lines)
