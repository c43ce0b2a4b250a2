"""High-tech yearbook tables: every real copy of every edition parses, agrees with the
independent long-form IndustryOperation.csv within printed rounding, and bad copies fail with
messages that name the cell."""

from __future__ import annotations

import io
import shutil
from decimal import Decimal

import openpyxl
import pandas as pd
import pytest

from orchestration.core.errors import SourceFileError
from orchestration.ingest.catalogue import Catalogue
from orchestration.ingest.html_table import read_html_grid
from orchestration.ingest.load import load_family
from orchestration.ingest.workbook import read_workbook
from orchestration.ingest.yearbook_region_table import parse_yearbook_region_table

FAMILY = Catalogue.load().families["hightech"]
REFERENCE_INDICATORS = {
    "企业数": "hightech_enterprises",
    "主营业务收入": "hightech_revenue",
    "利润总额": "hightech_profit",
}


def parse(path, name=None):
    return parse_yearbook_region_table(
        path,
        display_name=name or path.name,
        expected_indicator_label=FAMILY.indicator_label_zh,
        catalogue_unit=FAMILY.unit,
        **FAMILY.layout_options,
    )


@pytest.fixture(scope="module")
def tables_dir(yearbook_dir):
    return yearbook_dir / "hightech" / "yearbook-tables"


@pytest.fixture(scope="module")
def real_rows(yearbook_dir):
    files = Catalogue.load().files_of(yearbook_dir)["hightech"]
    return load_family(FAMILY, files, yearbook_dir)


def _decimals(text: str) -> int:
    exponent = Decimal(text).normalize().as_tuple().exponent
    return max(0, -exponent)


def test_every_copy_of_every_edition_parses(real_rows, tables_dir):
    assert real_rows["source_file"].nunique() == 23
    editions = sorted(real_rows["year"].unique())
    assert editions == [2010, 2011, 2012, 2013, 2014, 2015, 2016, 2018, 2019, 2020, 2021, 2022, 2023]
    kinds = real_rows.drop_duplicates("source_file").set_index("source_file")["file_kind"]
    # recognised by content: the web export is HTML whatever its name says
    assert kinds["hightech/yearbook-tables/raw-2020-soshu.xls"] == "html"
    assert kinds["hightech/yearbook-tables/raw-2023.xlsx"] == "xlsx"
    encrypted = set(real_rows.loc[real_rows["was_encrypted"], "source_file"].str.rsplit("/", n=1).str[-1])
    assert {"raw-2015.xls", "raw-2016.xls", "raw-2018.xls", "raw-2019.xls"} <= encrypted
    # every copy has the nation and the 31 provinces; each (copy, region, indicator) once
    per_copy = real_rows.groupby("source_file")["province_label"].agg(set)
    assert all({"全国", "江苏", "西藏", "新疆"} <= labels for labels in per_copy)
    assert not real_rows.duplicated(["source_file", "province_label", "indicator"]).any()


def test_xlsx_with_a_wrong_stored_dimension_is_read_whole(tables_dir):
    # raw-2023.xlsx claims its sheet is A1:A1; trusting that would silently drop every region
    rows = parse(tables_dir / "raw-2023.xlsx")
    assert len({r["province_label"] for r in rows}) == 36


def test_inner_spaces_and_subtotals_in_the_2016_edition(tables_dir):
    rows = parse(tables_dir / "raw-2016.xls")
    labels = [r["province_label"] for r in rows if r["indicator"] == "hightech_revenue"]
    assert labels[:6] == ["全国", "东部地区", "中部地区", "西部地区", "东北地区", "北京"]
    beijing = next(r for r in rows if r["province_label"] == "北京" and r["indicator"] == "hightech_revenue")
    assert (beijing["value"], beijing["source_cell"], beijing["region_label_en"]) == (4309.0, "D10", "Beijing")
    assert beijing["indicator_label"] == "主营业务收入"


def test_multi_row_bilingual_header_of_2010(tables_dir):
    rows = parse(tables_dir / "raw-2010.xls")
    headers = {r["indicator"]: r["indicator_label"] for r in rows}
    assert headers == {
        "hightech_enterprises": "企业数",
        "hightech_employment": "从业人员年平均人数",
        "hightech_gross_output": "当年价总产值",
        "hightech_revenue": "主营业务收入",
        "hightech_profit": "利润",
        "hightech_profit_and_tax": "利税",
        "hightech_export_delivery": "出口交货值",
    }
    units = {r["indicator"]: (r["unit"], r["unit_basis"]) for r in rows}
    assert units["hightech_employment"] == ("人", "header")
    assert units["hightech_revenue"] == ("亿元", "unit_line")
    tibet_export = next(
        r for r in rows if r["province_label"] == "西藏" and r["indicator"] == "hightech_export_delivery"
    )
    assert (tibet_export["value"], tibet_export["value_flag"]) == (None, "missing")


def test_2018_on_reads_operating_revenue(tables_dir):
    rows = parse(tables_dir / "raw-2018.xls")
    revenue = {r["indicator_label"] for r in rows if r["indicator"] == "hightech_revenue"}
    assert revenue == {"营业收入"}


@pytest.mark.parametrize(
    "file, province, indicator, expected",
    [
        ("raw-2014.xls", "江苏", "hightech_revenue", 26113.9),
        ("raw-2014.xls", "全国", "hightech_revenue", 127368.0),
        ("raw-2014.xlsx", "江苏", "hightech_revenue", 26113.9),
        ("raw-2020-soshu.xls", "江苏", "hightech_revenue", 27193.0),
        ("raw-2020.xls", "江苏", "hightech_revenue", 27192.8504),
    ],
)
def test_readme_figures(real_rows, file, province, indicator, expected):
    hit = real_rows[
        (real_rows.source_file == f"hightech/yearbook-tables/{file}")
        & (real_rows.province_label == province)
        & (real_rows.indicator == indicator)
    ]
    assert hit["value"].tolist() == [expected]


def test_yrd_2014_sum(real_rows):
    rows = real_rows[
        (real_rows.source_file == "hightech/yearbook-tables/raw-2014.xls")
        & (real_rows.indicator == "hightech_revenue")
        & real_rows.province_label.isin(["上海", "江苏", "浙江", "安徽"])
    ]
    assert round(rows["value"].sum(), 1) == 40496.2


def test_every_parsed_value_matches_industry_operation_csv(real_rows, yearbook_dir):
    """Each copy's enterprises, revenue and profit for the nation and the 31 provinces against the
    independent long-form copy: equal within half a unit of the coarser printed decimal."""
    reference = pd.read_csv(yearbook_dir / "hightech" / "IndustryOperation.csv", dtype={"value": str})
    reference["indicator"] = reference["chn_block4"].map(REFERENCE_INDICATORS)
    parsed = real_rows[
        real_rows.indicator.isin(REFERENCE_INDICATORS.values())
        & real_rows.province_label.isin(set(reference["province"]))
    ]
    joined = parsed.merge(
        reference,
        how="left",
        left_on=["province_label", "year", "indicator"],
        right_on=["province", "year", "indicator"],
        suffixes=("", "_reference"),
    )
    assert joined["value_reference"].notna().all(), "every parsed value has a reference value"
    assert len(joined) == 2208  # 23 copies x 32 regions x 3 indicators
    tolerance = [
        0.5 * 10 ** -min(_decimals(a), _decimals(b)) + 1e-9
        for a, b in zip(joined["value_text"], joined["value_reference"])
    ]
    difference = (joined["value"] - joined["value_reference"].astype(float)).abs()
    mismatches = joined.loc[
        difference > tolerance, ["source_file", "province_label", "indicator", "value_text", "value_reference"]
    ]
    assert mismatches.empty, mismatches.to_string()
    # and most are exact, so the tolerance is not hiding a systematic shift
    assert (difference == 0).mean() > 0.8


def test_html_grid_expands_spans():
    page = b"""<html><body><div>Title 2020\xe5\xb9\xb4</div><table>
        <tr><td rowspan="2">A</td><td colspan="2">B</td></tr>
        <tr><td>1</td><td>2</td></tr></table></body></html>"""
    assert read_html_grid(page) == [["Title 2020年", None, None], ["A", "B", None], [None, "1", "2"]]


def test_html_saved_as_xlsx_is_still_recognised(tables_dir, tmp_path):
    disguised = tmp_path / "raw-2020.xlsx"
    shutil.copy(tables_dir / "raw-2020-soshu.xls", disguised)
    assert read_workbook(disguised, "raw-2020.xlsx").kind == "html"


def _table(rows, tmp_path, name="raw-2014.xlsx"):
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    path = tmp_path / name
    book.save(path)
    return path


GOOD = [
    ["5-3 各地区高技术产业生产经营情况(2014年)"],
    ["单位：亿元"],
    ["地区", "Region", "企业数(个)", "主营业务收入", "利润总额"],
    ["全国", "National Total", "27939", "127368", "8095"],
    ["江 苏", "Jiangsu", "4871", "26113.9", "1541.3"],
]


def test_bad_cell_names_file_sheet_row_and_column(tmp_path):
    rows = [list(r) for r in GOOD]
    rows[4][3] = "26,113.9亿"
    with pytest.raises(SourceFileError) as caught:
        parse(_table(rows, tmp_path))
    message = str(caught.value)
    for part in ("raw-2014.xlsx", "sheet 'Sheet'", "row 5", "column D", "not a number", "26,113.9亿"):
        assert part in message


def test_unknown_column_is_rejected_not_dropped(tmp_path):
    rows = [list(r) for r in GOOD]
    rows[2][4] = "研发经费"
    with pytest.raises(SourceFileError, match=r"row 3, column E.*column the catalogue does not know"):
        parse(_table(rows, tmp_path))


def test_contradicting_unit_is_rejected(tmp_path):
    rows = [list(r) for r in GOOD]
    rows[2][3] = "主营业务收入(万元)"
    with pytest.raises(SourceFileError, match=r"states unit 万元 for hightech_revenue; expected unit 亿元"):
        parse(_table(rows, tmp_path))


def test_title_year_must_agree_with_file_name(tmp_path):
    with pytest.raises(SourceFileError, match="title for 2014 but a file name for 2015"):
        parse(_table(GOOD, tmp_path, name="raw-2015.xlsx"))


def test_workbook_with_another_password_names_its_readable_sibling(tables_dir, tmp_path):
    from msoffcrypto.format.ooxml import OOXMLFile

    family_dir = tmp_path / "hightech" / "yearbook-tables"
    family_dir.mkdir(parents=True)
    plain = io.BytesIO((tables_dir / "raw-2014.xlsx").read_bytes())
    with open(family_dir / "raw-2014.xlsx", "wb") as locked:
        OOXMLFile(plain).encrypt("not-the-default", locked)
    shutil.copy(tables_dir / "raw-2014.xls", family_dir / "raw-2014.xls")
    files = Catalogue.load().files_of(tmp_path)["hightech"]
    with pytest.raises(SourceFileError) as caught:
        load_family(FAMILY, files, tmp_path)
    message = str(caught.value)
    assert "hightech/yearbook-tables/raw-2014.xlsx" in message
    assert "other than Excel's default read-only one" in message
    assert "readable copy of the same edition: hightech/yearbook-tables/raw-2014.xls" in message
