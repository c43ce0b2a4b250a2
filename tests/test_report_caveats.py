"""Every claim of the comparison report against a value worked out by hand, on the samples with one
case of each caveat written into a copy of them (raw/ itself is never touched):

- Beijing's 2005 row removed: Jing-Jin-Ji (jjj) and the union yrd+jjj lack a member in 2005;
- Tianjin's 纺织业 (division 17) column removed: absent from one member's export, 2005–2014;
- Shanghai's 医药制造业 (27) of 2010 blanked: one blank cell;
- Jiangsu's 通用设备制造业 (34) of 2012 printed as *** : one suppressed cell;
- Zhejiang's 制造业 total of 2016 printed at 0.3 of itself: its divisions exceed the total and no one
  cell explains it, so 浙江 2016 is kept out of the metric universes (outside the pair's span, so
  only the 2005–2016 caveats name it);
- the known breaks of the seed within 2005–2014; employment, which the samples print no
  manufacturing total for.

One refresh for the module (about a minute and a half).
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import duckdb
import openpyxl
import pandas as pd
import pytest

from orchestration.report import write_report
from orchestration.report.render import READ_FROM_MARTS, incomplete_marks, table_html
from orchestration.report.sections import INCOMPLETE_MARK, collect
from orchestration.settings import ComparisonPair
from tests.conftest import run_refresh

REPO = Path(__file__).resolve().parent.parent
PAIR = ComparisonPair("yrd", "jjj", 2005, 2014)


def _year(cell) -> int | None:
    value = cell.value
    if isinstance(value, dt.datetime):
        return value.year
    if isinstance(value, int):
        return value
    return None


def _column(ws, suffix: str) -> int:
    """The column whose series name ends with the division name (the bare or the Wind layout)."""
    matches = [c.column for c in ws[1] if isinstance(c.value, str) and re.search(rf"(^|:|\s){suffix}$", c.value)]
    assert len(matches) == 1, (suffix, matches)
    return matches[0]


def _row(ws, year: int) -> int:
    rows = [c.row for c in ws["A"] if _year(c) == year]
    assert len(rows) == 1
    return rows[0]


def make_cases(raw: Path) -> None:
    mbr = raw / "wind-mbr"
    book = openpyxl.load_workbook(mbr / "北京.xlsx")
    book.active.delete_rows(_row(book.active, 2005))
    book.save(mbr / "北京.xlsx")
    book = openpyxl.load_workbook(mbr / "天津.xlsx")
    book.active.delete_cols(_column(book.active, "纺织业"))
    book.save(mbr / "天津.xlsx")
    book = openpyxl.load_workbook(mbr / "上海.xlsx")
    book.active.cell(_row(book.active, 2010), _column(book.active, "医药制造业")).value = None
    book.save(mbr / "上海.xlsx")
    book = openpyxl.load_workbook(mbr / "江苏.xlsx")
    book.active.cell(_row(book.active, 2012), _column(book.active, "通用设备制造业")).value = "***"
    book.save(mbr / "江苏.xlsx")
    book = openpyxl.load_workbook(mbr / "浙江.xlsx")
    total = book.active.cell(_row(book.active, 2016), _column(book.active, "制造业"))
    total.value = round(total.value * 0.3, 1)
    book.save(mbr / "浙江.xlsx")


@pytest.fixture(scope="module")
def case(tmp_path_factory):
    raw = tmp_path_factory.mktemp("raw_cases") / "raw"
    shutil.copytree(REPO / "raw", raw)
    make_cases(raw)
    warehouse = tmp_path_factory.mktemp("warehouse_cases")
    result, settings = run_refresh(raw, warehouse, env={"REPORT_PAIRS": "yrd:jjj:2005:2014"})
    assert result.success, [e.message for e in result.all_events if e.is_failure]
    con = duckdb.connect(str(settings.published_db), read_only=True)
    data = collect(con, PAIR, "main_business_revenue")
    yield con, settings, data
    con.close()


def _claims(data) -> dict:
    return {c.key: c for _, c in data.claims}


def _section(data, number: int):
    return {s.number: s for s in data.sections}[number]


def test_a_group_year_with_a_member_missing(case):
    _, _, data = case
    claims = _claims(data)
    assert claims["incomplete_years_jjj"].value == [2005]
    assert "2005 (北京 Beijing missing)" in claims["incomplete_years_jjj"].text
    assert claims["incomplete_years_yrd"].value == []
    # the headline CAGR is null and the report says why
    assert claims["cagr_jjj"].value is None or claims["cagr_jjj"].value != claims["cagr_jjj"].value
    assert "base_missing" in claims["cagr_jjj"].text and "2005: 北京 Beijing missing" in claims["cagr_jjj"].text
    trend = _section(data, 1).tables["trend_growth"].set_index("group_code")
    assert trend.loc["jjj", "n"] == 9 and trend.loc["jjj", "years_left_out"] == "2005"
    assert trend.loc["yrd", "n"] == 10 and trend.loc["yrd", "years_left_out"] == "none"
    # each incomplete universe-year once, whatever the number of industry sets (3 here)
    incomplete = claims["incomplete_universe_years"]
    assert incomplete.value == 2
    assert incomplete.text.startswith("2 incomplete universe-years, each counted once")
    sets = _section(data, 9).tables["industry_sets"]
    assert sets["incomplete_years"].sum() == 6  # 2 universe-years × 3 sets: the old, false count
    # §7 leaves the year out of the fit and says so; §8 names the member and the year
    assert claims["fit_left_out"].value == [2005]
    assert "1 incomplete universe-year left out (2005 (北京 Beijing missing))" in claims["fit_left_out"].text
    fit = _section(data, 7).tables["quadratic_fit"]
    assert set(fit[fit["sample"].str.startswith("complete")]["n"]) == {9}
    assert set(fit[fit["sample"] == "all years"]["n"]) == {10}
    assert (
        claims["shift_share_members"].text
        == "members with data in both years: 6 of 7; 北京 Beijing has no data in 2005"
    )


def test_divisions_left_out_by_their_cause(case):
    _, _, data = case
    claim = _claims(data)["divisions_left_out"]
    # Tianjin lacks 17 in each of the 10 years; Shanghai's blank 27 in 2010; Jiangsu's *** 34 in 2012
    assert claim.value == {"absent from the export": 10, "one blank cell": 1, "one suppressed cell": 1}
    assert claim.text.startswith("12 division-years left out")
    assert "10 absent from the export" in claim.text
    assert "1 one blank cell (上海 Shanghai 2010 27)" in claim.text
    assert "1 one suppressed cell (江苏 Jiangsu 2012 34)" in claim.text
    assert "0 of them lack the division in two or more members" in claim.text
    table = _section(data, 9).tables["divisions_left_out"]
    absent = table[table["cause"] == "absent from the export"]
    assert set(absent["members_lacking"]) == {"天津 Tianjin"} and set(absent["industry_code"]) == {"17"}
    assert sorted(absent["year"]) == list(range(2005, 2015)) and set(absent["universe_code"]) == {"jjj"}
    assert set(absent["lacking_detail"]) == {"天津 Tianjin: no series in the export"}
    blank = table[table["cause"] == "one blank cell"].iloc[0]
    assert (blank["year"], blank["industry_code"], blank["lacking_detail"]) == (2010, "27", "上海 Shanghai: blank cell")


def test_class_coverage_is_stated(case):
    _, _, data = case
    claims = _claims(data)
    # the span set of yrd loses 27 (blank 2010) and 34 (suppressed 2012): technology holds 3 of 8
    tech = claims["class_coverage_yrd_technology"]
    assert tech.value == "3/8"
    assert (
        "holds 3 of its 8 divisions" in tech.text and "27 医药制造业" in tech.text and "34 通用设备制造业" in tech.text
    )
    # jjj's loses 17 (Tianjin): labour holds 2 of 16 (the samples print 13, 17 and 18 of them)
    assert claims["class_coverage_jjj_labour"].value == "2/16"
    assert claims["class_coverage_yrd_labour"].value == "3/16"


def test_breaks_hightech_years_and_the_break_table_header(case):
    _, _, data = case
    claims = _claims(data)
    assert claims["known_breaks"].value == 5
    assert claims["known_breaks"].text == (
        "5 known breaks in the span: scope_above_size_2007 (2007), economic_census_2008 (2008), "
        "gbt4754_2011 (2011), scope_above_size_2011 (2011), economic_census_2013 (2013)."
    )
    breaks = _section(data, 9).tables["series_breaks"]
    assert "name_en" not in breaks.columns and "description_en" in breaks.columns
    html = table_html(breaks, name="series_breaks")
    assert "description" in html and "province" not in html
    # the samples print high-tech tables for the data years 2014 and 2015: one year inside the span
    assert claims["hightech_years"].value == [2014]
    assert "1 of the 10 data years 2005–2014: 2014" in claims["hightech_years"].text


def test_an_indicator_without_a_manufacturing_total(case, tmp_path):
    con, settings, _ = case
    data = collect(con, PAIR, "employment")
    claims = _claims(data)
    assert "no_manufacturing_total" in claims
    claim = claims["no_manufacturing_total"]
    assert claim.text.startswith("No manufacturing total for employment")
    assert "Shown instead: the sum of the manufacturing divisions each member reports" in claim.text
    # §1 is not empty: each group-year is the sum of its members' division sums
    totals = _section(data, 1).tables["group_totals"].set_index(["group_code", "year"])
    assert set(totals["basis"]) == {"sum of the divisions"} and len(totals) == 20
    expected = con.execute(
        "select sum(manufacturing_divisions_sum) from fct_manufacturing_coverage "
        "where indicator = 'employment' and year = 2010 and province_code in ('110000', '120000', '130000')"
    ).fetchone()[0]
    assert totals.loc[("jjj", 2010), "group_total"] == pytest.approx(expected, rel=1e-12)
    assert "persons" in _section(data, 1).charts[0].options["ylabel"]
    # the growth tables published for the manufacturing total only say so in their place, not "No rows."
    assert _section(data, 1).tables["provinces"].empty and _section(data, 1).tables["group_growth"].empty
    # §6 is high-tech revenue in 亿元 whatever the report's indicator: no header of it says persons,
    # in the page or in the workbook (2014's values are there: see the high-tech test above)
    files = write_report(settings.published_db, PAIR, "employment", tmp_path)
    page = files.html.read_text(encoding="utf-8")
    hightech = page[page.index('<section id="s6">') : page.index('<section id="s7">')]
    assert "(亿元 (100 million yuan))" in hightech and "persons" not in hightech
    assert "at current prices (nominal)" in hightech  # money, in a report on persons
    # employment's one break in 2005–2014, the 2013 change of the labour statistics: singular
    assert claims["known_breaks"].text == "1 known break in the span: labour_scope_2013 (2013)."
    sheet = pd.read_excel(files.workbook, sheet_name="6 hightech_revenue", header=None, nrows=1).iloc[0]
    assert not [h for h in sheet if "persons" in str(h)] and any("(亿元" in str(h) for h in sheet)
    output = page[page.index('<section id="s1">') : page.index('<section id="s2">')]
    assert "No rows." not in output
    assert (
        "无数据 No rows: growth 2005–2014 is published for the manufacturing total (mart_group_growth), which "
        "employment lacks; the trend growth is fitted to the members&#x27; division sums instead" in output
    )
    assert (
        "无数据 No rows: each province&#x27;s share of its group and its growth are published for the manufacturing "
        "total (mart_group_member_share, mart_growth), which employment lacks; each province&#x27;s division sums "
        "are in the table of levels by year" in output
    )
    contents = pd.read_excel(files.workbook, sheet_name="contents").set_index("sheet")
    assert contents.loc["1 provinces", "rows"] == 0
    assert contents.loc["1 provinces", "why no rows"].startswith("each province's share of its group")
    # every empty sheet says why; one without a reason of its own says its query matched nothing
    empty = contents[contents["rows"] == 0]["why no rows"]
    assert empty.notna().all() and (contents[contents["rows"] > 0]["why no rows"].fillna("") == "").all()
    assert set(empty.drop(["1 provinces", "1 group_growth"])) <= {"none for this pair, indicator and span"}


def test_a_withheld_province_year_is_named_in_the_caveats_and_the_summary(case):
    import dataclasses

    from orchestration.report.render import summary_markdown
    from orchestration.report.sections import caveats

    con, _, data = case
    # within 2005–2014 no member is withheld; the claim says so
    claim = _claims(data)["withheld_province_years"]
    assert claim.value == []
    assert claim.text == "No province-year of the groups' members is kept out of the metric universes in the span."
    # a span that reaches 2016 names Zhejiang 2016, with indicator and reason, from fct_quarantine
    section = caveats(con, ComparisonPair("yrd", "jjj", 2005, 2016), "main_business_revenue")
    claim = {c.key: c for c in section.claims}["withheld_province_years"]
    assert claim.value == [("330000", 2016, "main_business_revenue", "divisions_exceed_total")]
    assert claim.text == (
        "1 province-year kept out of the metric universes by the quality policy (no LQ, Krugman or other "
        "universe metric includes them): 浙江 Zhejiang 2016, main_business_revenue: divisions_exceed_total."
    )
    assert "'330000'" in claim.sql and "between 2005 and 2016" in claim.sql
    assert con.execute(claim.sql).fetchall()[0][:5] == ("330000", "浙江", "Zhejiang", 2016, "main_business_revenue")
    # Zhejiang is out of yrd's 2016 universe: no LQ of it that year, while Jiangsu has its LQs
    lqs = dict(
        con.execute(
            "select province_code, count(lq) from mart_location_quotient where universe_code = 'yrd' "
            "and year = 2016 and indicator = 'main_business_revenue' group by province_code"
        ).fetchall()
    )
    assert lqs.get("330000", 0) == 0 and lqs["320000"] > 0
    # section 1 shows Zhejiang's 2016 values as the source gives them, and names the province-year there
    from orchestration.report.sections.output import output_levels

    output = output_levels(con, ComparisonPair("yrd", "jjj", 2005, 2016), "main_business_revenue")
    shown = {c.key: c for c in output.claims}["withheld_values_shown"]
    assert shown.value == [("330000", 2016, "divisions_exceed_total")]
    assert shown.text.startswith(
        "Shown as the source gives them, but kept out of every metric universe by the quality "
    )
    assert "浙江 Zhejiang 2016 (divisions_exceed_total)" in shown.text
    assert con.execute(shown.sql).fetchall()[0][:6] == (
        "330000",
        "浙江",
        "Zhejiang",
        2016,
        "main_business_revenue",
        "divisions_exceed_total",
    )
    assert "withheld_values_shown" not in _claims(data)  # none of the members' within 2005–2014
    # the report's summary (the asset's page in the UI) repeats the sentence
    with_2016 = dataclasses.replace(data, sections=[*data.sections[:-1], section])
    assert f"- {claim.text}" in summary_markdown(with_2016).splitlines()
    assert claim.text not in summary_markdown(data)


def test_the_shift_share_reference_names_the_members_missing_at_either_end(case):
    """The universe's growth is taken over the members with data in both years: Beijing lacks 2005,
    Zhejiang 2016 is withheld, so 2005–2016 leaves five of the seven in the reference."""
    from orchestration.report.sections.shift_share_components import shift_share

    con, settings, _ = case
    section = shift_share(con, ComparisonPair("yrd", "jjj", 2005, 2016), "main_business_revenue")
    claim = {c.key: c for c in section.claims}["shift_share_reference"]
    assert claim.value == ["110000", "330000"]
    assert claim.text == (
        f"{INCOMPLETE_MARK} The reference universe lacks 北京 Beijing in 2005 and 浙江 Zhejiang in 2016: its "
        "growth is that of the 5 other members, those with data in both years."
    )
    assert section.charts[0].title.endswith("reference lacks 北京 Beijing in 2005 and 浙江 Zhejiang in 2016")
    # Zhejiang 2016 has data, withheld by the quality policy: said so, not "no data" (the pair computed
    # for the report, as `make report` does for a span the refresh did not pre-build)
    from orchestration.report import pair_compute

    scratch, _ = pair_compute.open_for_report(settings.published_db, ComparisonPair("yrd", "jjj", 2005, 2016))
    with scratch:
        computed = shift_share(scratch, ComparisonPair("yrd", "jjj", 2005, 2016), "main_business_revenue")
    assert computed.context["coverage"] == (
        "members with data in both years: 5 of 7; 北京 Beijing has no data in 2005; "
        "浙江 Zhejiang is withheld in 2016 (divisions_exceed_total)"
    )


def test_a_members_own_values_are_not_marked_for_its_groups_missing_member(case):
    """jjj lacks Beijing in 2005: Tianjin's share of jjj's 2005 total is marked; its own 2005 value
    and its growth, which do not depend on the group, are not."""
    _, _, data = case
    section = _section(data, 1)
    provinces = section.tables["provinces"].reset_index(drop=True)
    (tianjin,) = provinces.index[provinces.province_code == "120000"]
    marks = section.incomplete_cells["provinces"]
    assert (tianjin, "share_of_group_from") in marks
    assert not {(tianjin, c) for c in ("value_from", "value_to", "growth_rate", "cagr", "share_of_group_to")} & marks


def test_both_group_means_of_an_incomplete_year_are_marked(case):
    _, _, data = case
    section = next(s for s in data.sections if s.number == 3)
    means = section.tables["group_means"].reset_index(drop=True)
    (row,) = means.index[(means.universe_code == "jjj") & (means.year == 2005)]
    assert {(row, "mean_plain"), (row, "mean_weighted")} <= section.incomplete_cells["group_means"]


def test_every_claim_carries_its_sql_and_it_runs(case):
    con, _, data = case
    for _, claim in data.claims:
        assert claim.sql.lower().lstrip().startswith(("select", "with")), claim.key
        con.execute(claim.sql).fetchall()  # the SQL as written in the workbook runs as it is


INCOMPLETE = {("jjj", 2005), ("yrd+jjj", 2005)}
# tables about the incompleteness itself, or without the year's value
ABOUT_INCOMPLETENESS = {"incomplete_universe_years", "divisions_left_out", "group_growth", "hightech_revenue"}


def _assert_table_marked(section, name, frame) -> None:
    marks = incomplete_marks(name, frame, section.incomplete_cells.get(name, set()))
    code = next((c for c in ("group_code", "universe_code") if c in frame.columns), None)
    if code is None or frame.empty:
        return
    years = [c for c in frame.columns if isinstance(c, int)]
    for i, group in enumerate(frame[code]):
        if (
            "year" in frame.columns
            and (group, frame["year"].iloc[i]) in INCOMPLETE
            and name not in ABOUT_INCOMPLETENESS
        ):
            assert any((i, c) in marks for c in frame.columns), (section.number, name, i)
        # §1's province × year table marks the group's total row; a member's own level is complete
        own_level = name == "output_by_year" and frame["code"].iloc[i] != group
        for year in years:
            if (group, year) in INCOMPLETE and frame[year].iloc[i] == frame[year].iloc[i]:
                assert ((i, year) in marks) != own_level, (section.number, name, i, year)
    html = table_html(
        frame, name=name, incomplete=section.incomplete_cells.get(name, set()), read_from=section.read_from
    )
    assert html.count(INCOMPLETE_MARK) >= len({i for i, _ in marks}), (section.number, name)


def _assert_chart_marked(section, chart) -> None:
    if chart.kind in ("line", "quadratic") and section.number != 6:
        series = [c for c in chart.data.columns if "Jing-Jin-Ji" in str(c) or "Tianjin" in str(c)]
        if section.number == 7:
            series = list(chart.data.columns)  # the union's means
        for column in series:
            assert 2005 in chart.options["incomplete"][column], (section.number, column)
    if chart.kind == "heatmap" and ", 2005" in chart.title:
        assert f"{INCOMPLETE_MARK} incomplete: 北京 Beijing missing" in chart.title
    if section.number == 8:
        assert chart.title.endswith(f"{INCOMPLETE_MARK} reference lacks 北京 Beijing in 2005")
    if chart.kind == "stacked_bar" and section.number == 2:
        assert "天津 Tianjin 2005" + INCOMPLETE_MARK in chart.data.index


def test_no_chart_or_table_shows_an_incomplete_year_without_its_mark(case):
    _, _, data = case
    for section in data.sections:
        for name, frame in section.tables.items():
            _assert_table_marked(section, name, frame)
        for chart in section.charts:
            _assert_chart_marked(section, chart)


def test_the_report_and_its_caveats_sheet(case, tmp_path):
    import pandas as pd

    _, settings, data = case
    files = write_report(settings.published_db, PAIR, "main_business_revenue", tmp_path)
    book = pd.read_excel(files.workbook, sheet_name=None)
    assert list(book)[:2] == ["contents", "caveats"]
    caveats = book["caveats"]
    assert len(caveats) == len(data.claims)
    row = caveats[caveats["claim"] == "incomplete_universe_years"].iloc[0]
    assert row["value"] == 2 and "not is_universe_complete" in row["sql"] and "'jjj'" in row["sql"]
    sheet = pd.read_excel(files.workbook, sheet_name="1 output_by_year", header=1)
    assert list(sheet.columns[:3]) == ["group_code", "code", "name"] and "2005" in map(str, sheet.columns)
    html = files.html.read_text(encoding="utf-8")
    assert READ_FROM_MARTS in html  # a pre-built pair: its metrics are the publication's
    assert "12 division-years left out" in html and "2 incomplete universe-years, each counted once" in html
    assert "base_missing" in files.summary and "北京 Beijing missing" in files.summary
    # Chinese that renders without CJK fonts on the reader's machine: chart text as paths, the page's
    # own characters in an embedded subset font
    from orchestration.report.charts import cjk_family

    if cjk_family() is not None:
        assert "<text" not in re.sub(r"<style.*?</style>", "", html, flags=re.S).split("<svg", 1)[1]
        assert '@font-face{font-family:"ReportCJK";src:url(data:font/woff;base64,' in html


def test_group_years_incomplete_in_totals_or_in_divisions_only_are_named():
    """Hand-made: in 2006 Hunan prints divisions but no manufacturing total (the total is incomplete,
    the divisions are not); in 2013 Hainan prints a total but no division (the reverse); in 2007 both
    lack Hebei; employment prints no total at all (section 1's own caveat, not named here)."""
    from orchestration.report.sections.coverage import _totals_and_divisions_apart

    con = duckdb.connect()
    con.execute(
        "create table mart_group_total as select *, 1.0 as group_total, 6 as n_members, "
        "null::double as national_share, "
        "false as is_derived_total, null as null_reason from (values "
        "('central', 2006, 'C', 'revenue', false, ['430000'], 5), "
        "('central', 2007, 'C', 'revenue', false, ['130000'], 5), "
        "('central', 2013, 'C', 'revenue', true, [], 6), "
        "('east', 2013, 'C', 'revenue', true, [], 10), "
        "('east', 2006, 'C', 'employment', false, ['110000', '120000'], 0)"
        ") t(group_code, year, industry_code, indicator, is_complete, members_without_value, n_members_present)"
    )
    con.execute(
        "create table mart_division_availability as select * from (values "
        "('east', 2013, 'revenue', '460000', 'member_without_data'), "
        "('central', 2007, 'revenue', '130000', 'member_without_data')"
        ") t(universe_code, year, indicator, province_code, status)"
    )
    incomplete = pd.DataFrame({"universe_code": ["central", "east", "central+east"], "year": [2007, 2013, 2013]})
    names = {"central": "Central", "east": "East", "430000": "湖南 Hunan", "460000": "海南 Hainan"}
    claims, notes = [], []
    _totals_and_divisions_apart(
        con, ComparisonPair("central", "east", 2005, 2014), "revenue", incomplete, names, claims, notes
    )
    assert notes == [
        "Section 1 (group totals) and the sections computed from divisions are incomplete in different group-years, "
        "because a total needs every member's manufacturing total and the others every member's divisions: "
        "Central 2006: the group total lacks 湖南 Hunan (no manufacturing total), the division-level sections have "
        "every member; East 2013: the division-level sections lack 海南 Hainan (no divisions, or withheld by the "
        "quality policy), the group total has every member."
    ]
    assert claims[0].value == 2
    con.execute(claims[0].sql).fetchall()  # the SQL as written runs
    # employment: no member prints a total, nothing to set apart
    claims, notes = [], []
    _totals_and_divisions_apart(
        con, ComparisonPair("central", "east", 2005, 2014), "employment", incomplete.iloc[:0], names, claims, notes
    )
    assert notes == [] and claims == []
