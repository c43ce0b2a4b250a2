"""The comparison report for a pair of user-defined groups on the sample extracts: made by the
refresh (the comparison_reports asset), ten sections (the tenth, integration, from the IO tables), the
same numbers as the marts in the HTML and in the workbook, and it opens offline in headless Chromium
with every chart drawn."""

from __future__ import annotations

import html
import json
import os
import re
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from orchestration.report import report_stem, write_report
from orchestration.report.render import sheet_name
from orchestration.report.sections import ReportError, collect
from orchestration.settings import ComparisonPair, comparison_pairs
from tests.conftest import COMPARISON_REPORTS_METADATA, PREBUILT_PAIRS

REPO = Path(__file__).resolve().parent.parent
PAIR = ComparisonPair("shanghai_jiangsu", "zhejiang_anhui", 2005, 2014)
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="module")
def user_pair_build(sample_publication_with_pairs):
    """The samples published with the example groups and PREBUILT_PAIRS (PAIR among them), shared by
    the session: a read-only connection, the settings, the comparison_reports step's metadata."""
    settings = sample_publication_with_pairs
    metadata = json.loads((settings.warehouse_dir.parent / COMPARISON_REPORTS_METADATA).read_text(encoding="utf-8"))
    con = duckdb.connect(str(settings.published_db), read_only=True)
    yield con, settings, metadata
    con.close()


def test_the_refresh_writes_a_report_for_each_listed_pair(user_pair_build):
    _, settings, metadata = user_pair_build
    directory = settings.warehouse_dir / "comparison-reports"
    with pytest.MonkeyPatch.context() as env:  # the pairs as the refresh read them
        env.setenv("REPORT_PAIRS", PREBUILT_PAIRS)
        env.setenv("REGION_GROUPS_FILE", str(REPO / "examples" / "region_groups.yml"))
        pairs = comparison_pairs()
    assert PAIR in pairs
    for pair in pairs:
        stem = report_stem(pair, "main_business_revenue")
        span = f"{pair.year_from}_{pair.year_to}"
        assert (directory / f"{stem}.html").stat().st_size > 10_000
        assert (directory / f"{stem}.xlsx").stat().st_size > 5_000
        link = metadata[f"{pair.a}_vs_{pair.b}_{span}_html"]
        assert link == (directory / f"{stem}.html").resolve().as_uri()
        # the UI shows the headline numbers (it cannot open a local file)
        summary = metadata[f"{pair.a}_vs_{pair.b}_{span}_summary"]
        assert f" ({pair.a}) | " in summary and f" ({pair.b}) | " in summary
    assert len(list(directory.glob("*.html"))) == len(pairs)


def test_a_report_of_the_samples_says_so_on_its_page_workbook_and_summary(user_pair_build):
    """The samples' report has the real report's file name: its page, its browser tab, its workbook and
    the summary the UI shows each say the numbers are synthetic, so a copy is never read as statistics."""
    _, settings, metadata = user_pair_build
    banner = (
        "样例数据 SAMPLE DATA: built from the SAMPLE extracts in raw/ (synthetic values, not official statistics); "
        "not for citation."
    )
    stem = report_stem(PAIR, "main_business_revenue")
    text = (settings.warehouse_dir / "comparison-reports" / f"{stem}.html").read_text(encoding="utf-8")
    assert f'<h1>{html.escape(_title(text))}</h1>\n<p class="samples">{html.escape(banner)}</p>' in text
    assert f"<title>样例数据 SAMPLE DATA · {html.escape(_title(text))}</title>" in text
    about = pd.read_excel(settings.warehouse_dir / "comparison-reports" / f"{stem}.xlsx", sheet_name="about")
    assert list(about.iloc[0]) == ["SAMPLE DATA", banner]
    assert about.set_index("key").loc["built_from", "value"] == str(REPO / "raw")
    summary = metadata[f"{PAIR.a}_vs_{PAIR.b}_{PAIR.year_from}_{PAIR.year_to}_summary"]
    assert summary.startswith(f"**{banner}**\n\n**{PAIR.a} vs {PAIR.b}, ")


def _title(page: str) -> str:
    return html.unescape(re.search(r"<h1>(.*?)</h1>", page).group(1))


def test_user_groups_are_published_with_their_union(user_pair_build):
    con, _, _ = user_pair_build
    groups = dict(con.execute("select group_code, n_members from dim_region_group").fetchall())
    assert groups["shanghai_jiangsu"] == 2 and groups["zhejiang_anhui"] == 2
    assert groups["shanghai_jiangsu+zhejiang_anhui"] == 4
    assert groups["national_ex_tibet"] == 30


def test_every_section_is_present_and_its_numbers_are_the_marts(user_pair_build):
    con, _, _ = user_pair_build
    data = collect(con, PAIR, "main_business_revenue")
    assert [s.number for s in data.sections] == list(range(1, 11))
    for section in data.sections:
        assert set(section.context) == {"indicator", "universe", "industry set", "coverage"}
    sections = {s.number: s for s in data.sections}

    totals = sections[1].tables["group_totals"].set_index(["group_code", "year"])["group_total"]
    expected = {
        (group, year): total
        for group, year, total in con.execute(
            "select group_code, year, group_total from mart_group_total where industry_code = 'C' "
            "and indicator = 'main_business_revenue' and group_code in ('shanghai_jiangsu', 'zhejiang_anhui') "
            "and year between 2005 and 2014"
        ).fetchall()
    }
    assert expected == totals.to_dict() and len(expected) == 20
    # group total = Σ members on the published marts
    members = sections[1].tables["provinces"].groupby("group_code")["value_to"].sum()
    assert members["shanghai_jiangsu"] == pytest.approx(totals[("shanghai_jiangsu", 2014)], rel=1e-12)

    krel = sections[3].tables["krugman_vs_rest"]
    published = con.execute(
        "select universe_code, province_code, year, krugman_vs_rest from mart_specialization_relative_by_set "
        "where industry_set = 'span_2005_2014' and indicator = 'main_business_revenue' "
        "and universe_code in ('shanghai_jiangsu', 'zhejiang_anhui') and year between 2005 and 2014 "
        "order by universe_code = 'shanghai_jiangsu' desc, province_code, year"
    ).df()
    pd.testing.assert_frame_equal(
        krel[published.columns].reset_index(drop=True), published, check_dtype=False, rtol=0, atol=0
    )

    lq_table = sections[5].tables["location_quotients"]
    # the workbook's sheet says its year: a Stata user who keeps only the sheet still has it
    assert set(lq_table["year"]) == {2014} and lq_table.columns[0] == "year"
    lq = lq_table.set_index(["industry_code", "province_code"])["lq"]
    published_lq = {
        (industry, province): value
        for industry, province, value in con.execute(
            "select industry_code, province_code, lq from mart_location_quotient_by_set "
            "where universe_code = 'shanghai_jiangsu+zhejiang_anhui' "
            "and industry_set = 'pair_shanghai_jiangsu_zhejiang_anhui_2005_2014' "
            "and indicator = 'main_business_revenue' and year = 2014"
        ).fetchall()
    }
    assert len(lq) == len(published_lq) > 0
    for key, value in published_lq.items():
        assert lq[key] == value
    # §4's heatmaps of one index share the colour scale of all the years shown
    for index in ("Bilateral Krugman", "Structural similarity"):
        scales = {(c.options["vmin"], c.options["vmax"]) for c in sections[4].charts if c.title.startswith(index)}
        assert len(scales) == 1, index
    # the heatmap's rows: code and English name, a long name cut at a word and ending in " …"
    names = dict(con.execute("select industry_code, name_en from dim_industry").fetchall())
    (heatmap,) = sections[5].charts
    for label in heatmap.data.index:
        code, shown = label.split(" ", 1)
        assert shown == names[code] or (shown.endswith(" …") and names[code].startswith(shown[:-2])), label
    assert "≥ 1 marked ●" in heatmap.title

    # §2 shows the classes the set holds a division of: not the unclassified one at 0 %
    intensity = sections[2].tables["intensity_shares"]
    assert (intensity["n_industries_in_class"] > 0).all() and "unclassified" not in set(intensity["intensity_class"])
    shift = sections[8].tables["shift_share"]
    assert len(shift) == 4
    components = shift["national_share"] + shift["industry_mix"] + shift["regional_share"]
    assert (components - shift["change"]).abs().max() < 1e-9 * shift["base_value"].abs().max()
    # the reference is the two groups, not the nation: the legend names NS for what it is
    (bars,) = sections[8].charts
    assert list(bars.data.columns) == [
        "share effect NS 份额分量",
        "industry mix IM 产业结构",
        "regional share RS 竞争力",
    ]
    assert "growth of the two groups together is the reference" in sections[8].context["universe"]


def test_the_html_and_the_workbook_carry_the_same_tables(user_pair_build, tmp_path):
    con, settings, _ = user_pair_build
    files = write_report(settings.published_db, PAIR, "main_business_revenue", tmp_path)
    data = collect(con, PAIR, "main_business_revenue")
    html = files.html.read_text(encoding="utf-8")
    for number in range(1, 11):
        assert f'<section id="s{number}">' in html
    # offline: nothing is loaded from anywhere
    assert not re.search(r"(src|href)=\"https?://", html)
    assert "<script" not in html
    assert html.count("<svg") == sum(len(s.charts) for s in data.sections)
    # a number of the report, as shown, is the mart's
    # a number of the report, as shown (an index to three decimals), is the mart's
    krel = data.sections[2].tables["krel_by_year"]
    assert f"<td>{krel.iloc[0][2014]:.3f}</td>" in html
    used: set[str] = {"contents", "caveats", "about"}
    # every table sheet: row 1 the header with units, row 2 the column names, the values unrounded
    book = pd.read_excel(files.workbook, sheet_name=None, header=1)
    assert list(book)[:2] == ["contents", "caveats"]
    for section in data.sections:
        for name, frame in section.tables.items():
            sheet = book[sheet_name(section.number, name, used)]
            sheet.columns = [str(c) for c in sheet.columns]
            assert len(sheet) == len(frame)
            numeric = [c for c in frame.columns if pd.api.types.is_float_dtype(frame[c])]
            for column in numeric:
                assert sheet[str(column)].to_numpy() == pytest.approx(frame[column].to_numpy(), nan_ok=True)
    # a share is stored as the fraction it is, under a percent format, and its header says so
    shares = pd.read_excel(files.workbook, sheet_name=sheet_name(2, "intensity_shares_by_year", set()), header=None)
    year_headers = [text for text in shares.iloc[0] if str(text).endswith("(%, stored as a fraction)")]
    assert year_headers and shares.iloc[2:, 3:].stack().astype(float).between(0, 1).all()
    contents = pd.read_excel(files.workbook, sheet_name="contents")
    assert len(contents) == sum(len(s.tables) for s in data.sections)
    assert len(pd.read_excel(files.workbook, sheet_name="caveats")) == len(data.claims)


def test_heatmaps_for_the_years_chosen(user_pair_build):
    con, _, _ = user_pair_build
    chosen = ComparisonPair(PAIR.a, PAIR.b, PAIR.year_from, PAIR.year_to, heatmap_years=(2005, 2010, 2014))
    section = {s.number: s for s in collect(con, chosen, "main_business_revenue").sections}[4]
    assert [c.title[-4:] for c in section.charts] == ["2005", "2005", "2010", "2010", "2014", "2014"]
    assert sorted(section.tables["bilateral"].year.unique()) == [2005, 2010, 2014]


def test_an_unpublished_pair_is_computed_and_an_unknown_group_refused(user_pair_build, tmp_path):
    _, settings, _ = user_pair_build
    # a pair not pre-built is computed at report time (tests/test_report_any_pair.py)
    files = write_report(
        settings.published_db, ComparisonPair("yrd", "jjj", 2006, 2012), "main_business_revenue", tmp_path
    )
    assert files.computed.startswith("yrd:jjj:2006:2012 is not pre-built in the publication")
    with pytest.raises(ReportError, match="region group 'mars' is not published"):
        write_report(
            settings.published_db, ComparisonPair("mars", "jjj", 2005, 2014), "main_business_revenue", tmp_path
        )


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"no Chromium at {CHROMIUM} (apt-get install chromium)")
def test_the_report_opens_offline_in_chromium_with_every_chart_drawn(user_pair_build):
    from playwright.sync_api import sync_playwright

    _, settings, _ = user_pair_build
    html = settings.warehouse_dir / "comparison-reports" / f"{report_stem(PAIR, 'main_business_revenue')}.html"
    shots = REPO / "warehouse" / "report-check"
    shots.mkdir(parents=True, exist_ok=True)
    requests, errors = [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--disable-quic"], headless=True
        )
        context = browser.new_context(offline=True, viewport={"width": 1300, "height": 1000})
        page = context.new_page()
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("request", lambda request: requests.append(request.url))
        page.goto(html.resolve().as_uri(), wait_until="load")
        charts = page.locator("figure.chart svg")
        sizes = [charts.nth(i).bounding_box() for i in range(charts.count())]
        drawn = page.evaluate(
            "() => [...document.querySelectorAll('figure.chart svg')].map(s => s.querySelectorAll('path, text').length)"
        )
        headings = page.locator("section h2").all_inner_texts()
        page.screenshot(path=str(shots / "comparison-report.png"), full_page=True)
        browser.close()
    assert errors == []
    assert [url for url in requests if not url.startswith("file://")] == []
    assert len(sizes) >= 9 and all(box and box["width"] > 100 and box["height"] > 50 for box in sizes)
    assert min(drawn) > 10
    assert len(headings) == 10 and headings[0].startswith("1. 产出规模")
    assert (shots / "comparison-report.png").stat().st_size > 50_000


def test_the_integration_section_states_the_published_io_tables(user_pair_build):
    """Section 10 (sections/io_integration.py): each claim against values worked out here from the published
    IO marts. The samples hold the 2012 tables of Shanghai and Jiangsu only: shanghai_jiangsu is
    complete, zhejiang_anhui has no member table, and the regression has too few observations."""
    con, _, _ = user_pair_build
    section = {s.number: s for s in collect(con, PAIR, "main_business_revenue").sections}[10]
    claims = {c.key: c for c in section.claims}
    assert section.title_zh == "市场一体化与产业集中"
    for claim in section.claims:  # each claim's query runs as written
        con.execute(claim.sql).fetchall()

    editions = [y for (y,) in con.execute("select distinct year from fct_io_flow order by 1").fetchall()]
    usable = [
        y
        for (y,) in con.execute(
            "select year from mart_io_integration where level = 'nation_manufacturing' and outflow_share is not null "
            "order by year"
        ).fetchall()
    ]
    assert editions == usable == [2012]  # what the samples give
    assert claims["io_editions_usable"].value == usable
    assert claims["io_editions_usable"].text.startswith(
        "Editions of the provincial input-output tables: 2012. Usable (domestic and foreign flows separated): 2012."
    )

    # the groups' levels: Σ of the members' province_manufacturing flows, divided here
    def summed(codes):
        of, if_, ex, im, go, du = con.execute(
            "select sum(outflow_domestic), sum(inflow_domestic), sum(exports), sum(imports), sum(gross_output), "
            "sum(domestic_use) from mart_io_integration where level = 'province_manufacturing' and year = 2012 "
            f"and unit_code in ({', '.join(repr(c) for c in codes)})"
        ).fetchone()
        return of / go, if_ / du, (of + if_) / go, (ex + im) / go

    with_table = [c for (c,) in con.execute("select distinct region_code from fct_io_flow").fetchall()]
    assert sorted(with_table) == ["310000", "320000"]
    for unit, codes, name in (
        ("shanghai_jiangsu", ["310000", "320000"], "沪苏 Shanghai and Jiangsu"),
        ("all_provinces", with_table, "全国（各省合计） all provinces summed"),
    ):
        out, inn, inter, foreign = summed(codes)
        text = claims[f"io_levels_{unit}"].text
        assert text.startswith(f"{name}, manufacturing: 2012: ")
        assert (
            f"2012: outflow {out * 100:.1f} % of output, inflow {inn * 100:.1f} % of domestic use, inter-provincial "
            f"trade {inter * 100:.1f} % and foreign trade {foreign * 100:.1f} % of output" in text
        )
        assert claims[f"io_levels_{unit}"].value[2012] == pytest.approx(out, rel=1e-12)
    # no member of zhejiang_anhui has a table: no levels claim, the group-edition marked, members named
    assert "io_levels_zhejiang_anhui" not in claims
    assert claims["io_members_zhejiang_anhui"].value == [2012]
    assert claims["io_members_zhejiang_anhui"].text == (
        f"{INCOMPLETE}: the group's sums lack members — 2012: 0 of 2 members (浙江 Zhejiang, 安徽 Anhui without a "
        "table). Its indices there are those of the members with a table."
    )
    assert claims["io_members_shanghai_jiangsu"].text.endswith("every member (2) has a table in every edition.")
    levels = section.tables["io_integration_by_group"].set_index(["code", "year"])
    assert levels.loc[("zhejiang_anhui", 2012), "null_reason"] == "no_member_table"
    assert not levels.loc[("zhejiang_anhui", 2012), "is_complete"]
    assert pd.isna(levels.loc[("zhejiang_anhui", 2012), "outflow_share"])
    published = con.execute(
        "select outflow_share from mart_io_integration where level = 'group_manufacturing' "
        "and unit_code = 'shanghai_jiangsu' and year = 2012"
    ).fetchone()[0]
    assert levels.loc[("shanghai_jiangsu", 2012), "outflow_share"] == published

    # the members' table: the published province_manufacturing values; members without a table marked
    members = section.tables["io_member_shares"]
    assert list(members.columns[-len(editions) :]) == editions
    jiangsu = members[(members.province == "江苏 Jiangsu") & members.measure.str.contains("outflow")]
    assert (
        jiangsu[2012].iloc[0]
        == con.execute(
            "select outflow_share from mart_io_integration where level = 'province_manufacturing' "
            "and unit_code = '320000' and year = 2012"
        ).fetchone()[0]
    )
    marked = {members.province.iloc[i] for i, _ in section.incomplete_cells["io_member_shares"]}
    assert marked == {"浙江 Zhejiang", "安徽 Anhui"}

    # the regression: as published; on the samples no model has an estimate, and the claim says why
    regression = con.execute(
        "select model, null_reason, coefficient from mart_integration_regression order by model"
    ).fetchall()
    assert len(regression) == 6 and all(coefficient is None for _, _, coefficient in regression)
    text = claims["io_regression_sample"].text
    assert text.startswith("No model could be estimated on this publication: ")
    assert text.endswith("The samples are too small: only the editions that separate the flows enter.")
    for _, reason, _ in regression:
        assert reason in text
    assert len(section.tables["io_regression"]) == len(section.tables["io_regression_published"]) == 6
    assert not any(key.startswith("io_regression_") and key != "io_regression_sample" for key in claims)

    # the scatter: the province model's sample, no curve without published coefficients
    n = con.execute(
        "select count(*) from mart_io_specialization s join mart_io_integration i on i.level = "
        "'province_manufacturing' and i.unit_code = s.province_code and i.year = s.year "
        "where i.outflow_share is not null and s.krugman_specialization is not null"
    ).fetchone()[0]
    assert n == 2 and len(section.tables["io_scatter_sample"]) == n
    assert claims["io_curve"].text == (
        "No curve: the province model has no published estimate (2 province-editions in its sample)."
    )
    assert section.charts[0].kind == "scatter_fit" and section.charts[0].options["curve"] is None


INCOMPLETE = "† 浙皖 Zhejiang and Anhui"


def test_bilateral_heatmaps_put_the_first_groups_provinces_first(sample_publication):
    """§4's heatmaps order both axes as §5 and §8 do: the first group's provinces, then the second's,
    each by code. yrd against jjj on the samples: jjj's codes (11, 12, 13...) sort before yrd's (31...)."""
    pair = ComparisonPair("yrd", "jjj", 2005, 2014)
    with duckdb.connect(str(sample_publication.published_db), read_only=True) as con:
        data = collect(con, pair, "main_business_revenue")
        members = "select province_code from dim_region_group_member where group_code = 'yrd'"
        yrd = {r[0] for r in con.execute(members).fetchall()}
        names = dict(con.execute("select province_code, name_short_zh || ' ' || name_en from dim_province").fetchall())
    (section,) = [s for s in data.sections if s.number == 4]
    assert len(section.charts) == 4
    for chart in section.charts:
        codes = [next(code for code, name in names.items() if name == label) for label in chart.data.index]
        in_yrd = [code in yrd for code in codes]
        assert in_yrd == sorted(in_yrd, reverse=True) and any(in_yrd) and not all(in_yrd), chart.title
        assert codes == sorted(codes, key=lambda code: (code not in yrd, code))
        assert list(chart.data.columns) == list(chart.data.index)
