"""The report's headers and number formats are the published columns' YAML meta (label_zh,
label_en, unit), read from dbt's manifest (orchestration/dbt_registry.py), not a list in Python;
only the columns the report computes itself are labelled in render.py."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from orchestration import dbt_registry
from orchestration.dbt_registry import AmbiguousColumn, dbt_manifest, published_column_meta
from orchestration.report import render
from orchestration.report.render import COMPUTED_COLUMN_LABELS, column_header, table_html


def yaml_meta(model: str, column: str) -> dict:
    """A column's meta straight from the manifest, not through the registry under test."""
    node = next(n for n in dbt_manifest()["nodes"].values() if n["resource_type"] == "model" and n["name"] == model)
    return node["columns"][column]["config"]["meta"]


@pytest.fixture
def registry_from(monkeypatch, tmp_path):
    """Point the registry at an edited copy of the manifest."""

    def use(edit) -> None:
        manifest = dbt_manifest()
        edit(manifest)
        path = tmp_path / "manifest.json"
        path.write_text(json.dumps(manifest), encoding="utf-8")
        monkeypatch.setattr(dbt_registry, "MANIFEST", path)
        for cached in (dbt_registry._published, dbt_registry.published_column_meta, dbt_registry._described_by_name):
            cached.cache_clear()

    yield use
    for cached in (dbt_registry._published, dbt_registry.published_column_meta, dbt_registry._described_by_name):
        cached.cache_clear()


def test_report_headers_are_the_labels_in_the_yaml():
    assert yaml_meta("mart_specialization_relative", "krugman_vs_rest")["label_zh"] == "相对专业化指数"
    assert column_header("krugman_vs_rest") == ("相对专业化指数", "Krel")
    assert column_header("structural_similarity") == ("结构相似系数", "structural similarity")
    assert column_header("year") == ("年份", "year")
    # every labelled published column is headed by its YAML label
    for model, columns in published_column_meta().items():
        for column, meta in columns.items():
            if "label_zh" in meta:
                assert column_header(column, read_from={column: model}) == (meta["label_zh"], meta["label_en"])
    html = table_html(pd.DataFrame({"year": [2014], "krugman_vs_rest": [0.25]}), name="t")
    assert "<th>年份<br>year</th>" in html
    assert '<th>相对专业化指数<br>Krel<br><span class="unit">(index)</span></th>' in html
    assert "<td>0.250</td>" in html  # an index, to three decimals: its YAML unit


def test_a_label_changed_in_the_manifest_changes_the_report(registry_from):
    def relabel(manifest):
        for node in manifest["nodes"].values():
            if node["resource_type"] == "model" and node["name"].startswith("mart_specialization_relative"):
                meta = node["columns"]["krugman_vs_rest"]["config"]["meta"]
                meta |= {"label_zh": "地区相对专业化指数", "label_en": "relative specialization", "unit": "share"}

    registry_from(relabel)
    html = table_html(pd.DataFrame({"krugman_vs_rest": [0.25]}), name="t")
    assert "<th>地区相对专业化指数<br>relative specialization" in html
    assert "<td>25.0</td>" in html  # now a share, in %


def test_a_name_two_marts_describe_differently_is_read_from_the_model_the_section_names():
    group_total, shift_share = (
        yaml_meta("mart_group_total", "national_share"),
        yaml_meta("mart_shift_share", "national_share"),
    )
    assert (group_total["label_en"], group_total["unit"]) == ("share of nation", "share")
    assert (shift_share["label_en"], shift_share["unit"]) == ("share effect NS (universe growth)", "indicator")
    ambiguous = []
    for name in {c for columns in published_column_meta().values() for c in columns}:
        try:
            dbt_registry.described(name)
        except AmbiguousColumn:
            ambiguous.append(name)
    assert ambiguous == ["national_share"]
    frame = pd.DataFrame({"national_share": [0.5]})
    with pytest.raises(AmbiguousColumn, match="mart_group_total"):
        table_html(frame, name="t")
    shares = table_html(frame, name="t", read_from={"national_share": "mart_group_total"})
    assert "<th>占全国比重<br>share of nation" in shares and "<td>50.0</td>" in shares
    component = table_html(frame, name="t", read_from={"national_share": "mart_shift_share_by_set"})
    assert (
        "<th>份额分量（参照区域增长）<br>share effect NS (universe growth)" in component
        and "<td>0.5000</td>" in component
    )


def test_the_report_labels_only_the_columns_it_computes_itself():
    published = {c for columns in published_column_meta().values() for c in columns}
    assert [c for c in COMPUTED_COLUMN_LABELS if c in published] == []
    assert [c for c in render.KIND if c in published] == []


def test_growth_over_a_span_is_not_labelled_a_year():
    """growth_rate = x[T]/x[t0] − 1 is growth over the whole span; only the CAGR is a rate a year.
    East 2006→2014 in the real extracts: growth 202.7 % against a CAGR of 14.8 % a year."""
    growth = pd.DataFrame({"growth_rate": [582164 / 192317 - 1], "cagr": [(582164 / 192317) ** (1 / 8) - 1]})
    html = table_html(growth, name="group_growth", unit="亿元")
    assert "(% over the span)" in html and "202.7" in html
    assert html.count("(% a year)") == 1 and "14.8" in html
    # the published regression table's interval is a coefficient's: no growth unit
    regression = pd.DataFrame({"ci_low": [-0.25], "ci_high": [0.75]})
    assert "% a year" not in table_html(regression, name="io_regression_published")


def test_the_regressions_turning_point_is_a_share_and_its_statistics_have_no_unit():
    """Section 10: x* = −b1/(2·b2) is a value of x, the outflow share, as a fraction like the published
    note beside it (the published note now writes it in %: "maximum at 213.0 %"); a p-value or an R² is
    not an index."""
    regression = pd.DataFrame(
        {
            "p_value": [0.413],
            "r_squared_within": [0.06],
            "turning_point": [2.130093],
            "turning_point_note": ["maximum at 2.130 (95 % CI -1.315–5.575, delta method)"],
        }
    )
    for name in ("io_regression", "io_regression_published"):  # the HTML's table, the workbook's sheet
        html = table_html(regression, name=name)
        assert html.count("(share, 1 = 100 %)") == 1 and ">2.130<" in html
        assert "(index)" not in html and "(years)" not in html and ">0.413<" in html and ">0.060<" in html
        assert render.EXCEL_FORMAT[render._kind(name, "turning_point")] == "0.000"


def test_persons_are_counted_in_whole_units_and_large_levels_are_written_out():
    """Employment is in persons (人): no '.0' in a table; a chart of millions reads 12,000,000 on its
    axis, not 1.2 under an offset of 1e7."""
    from matplotlib.ticker import StrMethodFormatter

    from orchestration.report import charts
    from orchestration.report.sections.shapes import Chart

    people = pd.DataFrame({2005: [1186823.0], 2014: [12827866.0]})
    html = table_html(people, name="output_by_year", unit="人")
    assert ">1,186,823<" in html and ">12,827,866<" in html and ".0<" not in html
    revenue = table_html(pd.DataFrame({2005: [13875.94]}), name="output_by_year", unit="亿元")
    assert ">13,875.9<" in revenue  # 亿元 keep their decimal
    assert render.EXCEL_FORMAT[render._value_kind("output_by_year", 2005, "人")] == "#,##0"
    figure = charts._line(Chart("line", "employment", pd.DataFrame({"a": [6.4e6, 1.28e7]}, index=[2005, 2014])))
    assert isinstance(figure.axes[0].yaxis.get_major_formatter(), StrMethodFormatter)
    # shift-share components each below 10,000 亿元 whose stack reaches 16,000: the axis is written out too
    stacked = pd.DataFrame({"NS": [8000.0], "IM": [6000.0], "RS": [2000.0]}, index=["江苏 Jiangsu"])
    figure = charts._stacked_bar(Chart("stacked_bar", "components", stacked, {"signed": True}))
    assert isinstance(figure.axes[0].yaxis.get_major_formatter(), StrMethodFormatter)
    # shares in % keep matplotlib's own ticks
    shares = charts._stacked_bar(Chart("stacked_bar", "shares", pd.DataFrame({"a": [40.0], "b": [60.0]})))
    assert not isinstance(shares.axes[0].yaxis.get_major_formatter(), StrMethodFormatter)


def test_heatmaps_of_several_years_share_one_colour_scale():
    """§4 draws each year's bilateral index on the range of all the years shown: a colour is one value."""
    from orchestration.report import charts
    from orchestration.report.sections.shapes import Chart

    early = pd.DataFrame({"a": [0.0, 0.5], "b": [0.5, 0.0]}, index=["a", "b"])
    figure = charts._heatmap(Chart("heatmap", "K, 2005", early, {"vmin": 0.0, "vmax": 0.9}))
    assert figure.axes[0].images[0].get_clim() == (0.0, 0.9)
    alone = charts._heatmap(Chart("heatmap", "K", early))  # without a shared scale: its own range
    assert alone.axes[0].images[0].get_clim() == (0.0, 0.5)


def test_a_location_quotient_of_exactly_one_is_marked_as_specialised():
    """is_specialised is LQ ≥ 1 (lq_binary_threshold): the heatmap marks the same cells."""
    from orchestration.report import charts
    from orchestration.report.sections.shapes import Chart

    data = pd.DataFrame({"a": [1.0, 0.99, 1.2]}, index=["x", "y", "z"])
    figure = charts._heatmap(Chart("heatmap", "LQ", data, {"fmt": "{:.2f}", "mark_from": 1.0}))
    texts = sorted(t.get_text() for t in figure.axes[0].texts)
    assert texts == ["0.99", "1.00 ●", "1.20 ●"]


def test_two_groups_lines_are_told_apart_by_dash_and_each_member_by_colour_and_marker():
    """east (10) against west (12): the dash says the group, and no two of the 22 lines look alike."""
    import matplotlib.pyplot as plt
    import numpy as np

    from orchestration.report import charts
    from orchestration.report.sections import Chart

    columns = [f"e{i}" for i in range(10)] + [f"w{i}" for i in range(12)]
    data = pd.DataFrame(np.random.default_rng(0).random((3, 22)), index=[2006, 2011, 2016], columns=columns)
    groups = {c: int(c.startswith("w")) for c in columns}
    figure = charts._line(Chart("line", "Krel", data, {"groups": groups, "group_names": ["东部 East", "西部 West"]}))
    lines = {line.get_label(): line for line in figure.axes[0].get_lines() if line.get_label() in columns}
    assert {lines[c].get_linestyle() for c in columns if groups[c] == 0} == {"-"}
    assert {lines[c].get_linestyle() for c in columns if groups[c] == 1} == {"--"}
    # colour and marker alone tell every member apart: a point off the line shows no dash
    looks = {(tuple(np.round(line.get_color(), 3)), line.get_marker()) for line in lines.values()}
    assert len(looks) == 22
    legend = [t.get_text() for t in figure.axes[0].get_legend().get_texts()]
    assert legend[-2:] == ["东部 East", "西部 West"]
    plt.close(figure)


def test_sixteen_lines_of_a_chart_look_different():
    """The Krel chart draws every member of two groups: each line its own colour, marker and dash."""
    import matplotlib.pyplot as plt
    import numpy as np

    from orchestration.report import charts
    from orchestration.report.sections import Chart

    data = pd.DataFrame(np.random.default_rng(0).random((5, 16)), index=range(2010, 2015), columns=range(16))
    figure = charts._line(Chart(kind="line", title="Krel", data=data, options={}))
    lines = [line for line in figure.axes[0].get_lines() if line.get_label() in {str(c) for c in data.columns}]
    looks = {(tuple(np.round(line.get_color(), 3)), line.get_marker(), line.get_linestyle()) for line in lines}
    plt.close(figure)
    assert len(lines) == 16 and len(looks) == 16
    assert len({look[0] for look in looks}) == 16  # the colours alone already differ


def test_the_unions_rows_come_as_two_blocks_the_first_groups_first():
    """§5's heatmap columns and §8's bars: central against east puts Anhui (340000) before Beijing,
    whatever the codes' order."""
    import duckdb

    from orchestration.report.sections.lookups import in_group_order
    from orchestration.settings import ComparisonPair

    con = duckdb.connect()
    con.execute(
        "create table dim_region_group_member as select * from (values ('central', '340000'), "
        "('east', '110000'), ('east', '330000')) as t(group_code, province_code)"
    )
    frame = pd.DataFrame({"province_code": ["110000", "330000", "340000"], "v": [1, 2, 3]})
    ordered = in_group_order(con, ComparisonPair("central", "east", 2005, 2014), frame)
    assert ordered.province_code.tolist() == ["340000", "110000", "330000"] and ordered.v.tolist() == [3, 1, 2]


def test_a_coverage_line_says_which_years_it_spans_and_the_weighted_mean_its_weights():
    from orchestration.report.sections.lookups import coverage_range

    by_year = pd.DataFrame({"year": [2005, 2005, 2014], "coverage": [0.92, 0.67, 0.71]})
    assert coverage_range(by_year) == "the set explains 67%–92% of the provinces' manufacturing totals in 2005 and 2014"
    one_year = pd.DataFrame({"coverage": [0.67, 0.89]})  # §5: the end year only, named by the section
    assert coverage_range(one_year, [2014]).endswith("manufacturing totals in 2014")
    span = pd.DataFrame({"year": list(range(2006, 2017)), "coverage": [0.5] * 11})
    assert coverage_range(span).endswith("in 2006–2016")
    weighted = yaml_meta("mart_group_index_mean", "mean_weighted")
    assert weighted["label_en"] == "weighted mean (weight: the province's share of the group's total on the set)"


def test_caveats_name_a_spikes_division_and_one_members_mixed_lacks_as_one_member():
    """§9 on a small published file: a suspect spike (found on the printed series, no code) is named by
    its label; a division one member lacks as both a blank and a missing series is that member's."""
    import duckdb

    from orchestration.report.sections.coverage import _divisions_left_out, _value_warnings
    from orchestration.settings import ComparisonPair

    con = duckdb.connect()
    con.execute(
        "create table dim_industry as select * from (values ('18', '纺织服装、服饰业', 'Apparel')) "
        "as t(industry_code, name_zh, name_en)"
    )
    con.execute(
        "create table fct_value_warning as select * from (values ('suspect_spike', '120000', 2010, 'employment', "
        "null, '纺织服装、服饰业', 17318.0, 'x2.6 above both neighbours')) "
        "as t(rule, province_code, year, indicator, industry_code, industry_label, value, detail)"
    )
    pair, claims, notes = ComparisonPair("jjj", "yrd", 2005, 2014), [], []
    names = {"120000": "天津 Tianjin"}
    warned = _value_warnings(con, pair, "employment", ["120000"], names, claims, notes)
    assert warned.industry_zh.tolist() == ["纺织服装、服饰业"]
    con.execute(
        "create table mart_division_availability as select * from (values "
        "('jjj', 2010, '18', 'employment', '110000', 'dropped_by_common_support'), "
        "('jjj', 2010, '18', 'employment', '120000', 'missing'), "
        "('jjj', 2010, '18', 'employment', '120000', 'not_in_export')) "
        "as t(universe_code, year, industry_code, indicator, province_code, status)"
    )
    dropped = _divisions_left_out(con, pair, "employment", names, claims, notes)
    assert dropped.cause.tolist() == ["one member, blank, suppressed or absent"]


def test_the_turning_point_is_in_the_legend_only_where_one_is_drawn():
    """§7's chart: a dotted line marks an interior turning point; the legend names that mark only when
    the chart draws one, so a reader never looks for a line that is not there."""
    import matplotlib.pyplot as plt

    from orchestration.report import charts
    from orchestration.report.sections import Chart
    from orchestration.statistics import fit_quadratic

    years = [2005, 2006, 2007, 2008, 2009, 2010]
    inverted_u = [1.0, 1.6, 1.9, 1.95, 1.7, 1.2]  # its maximum inside 2005-2010
    rising = [1.0, 1.1, 1.3, 1.6, 2.0, 2.5]  # a U whose minimum is before 2005: no interior maximum

    def legend_and_dotted(series: list[float]) -> tuple[list[str], int]:
        fit = fit_quadratic(years, series, expect="maximum")
        data = pd.DataFrame({"mean locational Gini": series}, index=years)
        figure = charts._quadratic(Chart("quadratic", "Gini", data, {"fits": [fit]}))
        legend = [t.get_text() for t in figure.axes[0].get_legend().get_texts()]
        dotted = sum(line.get_linestyle() == ":" for line in figure.axes[0].get_lines())
        plt.close(figure)
        return legend, dotted

    legend, dotted = legend_and_dotted(inverted_u)
    assert dotted == 1 and legend[-1] == "turning point (interior only)"
    legend, dotted = legend_and_dotted(rising)
    assert dotted == 0 and "turning point (interior only)" not in legend
    assert legend[-1] == "quadratic fit"
