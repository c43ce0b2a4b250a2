"""Wind EDB parser: the 31 real exports, their spot facts, flags, and errors on bad input."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from orchestration.core.errors import SourceFileError
from orchestration.ingest.catalogue import Catalogue
from orchestration.ingest.load import load_family
from orchestration.ingest.wind_edb import parse_wind_edb_export

from .conftest import WIND_DIR

PROVINCES_31 = {
    "北京",
    "天津",
    "河北",
    "山西",
    "内蒙古",
    "辽宁",
    "吉林",
    "黑龙江",
    "上海",
    "江苏",
    "浙江",
    "安徽",
    "福建",
    "江西",
    "山东",
    "河南",
    "湖北",
    "湖南",
    "广东",
    "广西",
    "海南",
    "重庆",
    "四川",
    "贵州",
    "云南",
    "西藏",
    "陕西",
    "甘肃",
    "青海",
    "宁夏",
    "新疆",
}
REAL_FILES = sorted(WIND_DIR.glob("*.xls*")) if WIND_DIR.is_dir() else []


def parse(path: Path, **overrides):
    kwargs = {"display_name": path.name, "expected_indicator_label": "主营业务收入", "catalogue_unit": "万元"}
    return parse_wind_edb_export(path, **{**kwargs, **overrides})


@pytest.fixture(scope="module")
def real_rows(yearbook_dir):
    family = Catalogue.load().families["wind_mbr"]
    files = Catalogue.load().files_of(yearbook_dir)["wind_mbr"]
    return load_family(family, files, yearbook_dir)


def test_all_31_real_files_parse_into_one_row_per_cell(real_rows, yearbook_dir):
    assert len(REAL_FILES) == 31
    assert real_rows["source_file"].nunique() == 31
    assert set(real_rows["province_label"]) == PROVINCES_31
    # every (series, year) cell once, every cell's file hash 64 hex digits
    assert not real_rows.duplicated(["source_file", "source_sheet", "source_cell"]).any()
    assert not real_rows.duplicated(["province_label", "industry_label", "year"]).any()
    assert real_rows["file_sha256"].str.fullmatch(r"[0-9a-f]{64}").all()
    assert real_rows["unit"].eq("万元").all()
    assert real_rows["year"].between(1999, 2016).all()


@pytest.mark.parametrize(
    "province, industry, year, printed, cell",
    [
        ("江苏", "制造业", 2014, "1363460200", "H11"),
        ("上海", "通用设备制造业", 2014, "27631500", "Y11"),
        ("浙江", "纺织业", 2010, "54725100", "K7"),
    ],
)
def test_spot_facts(real_rows, province, industry, year, printed, cell):
    hit = real_rows[
        (real_rows.province_label == province) & (real_rows.industry_label == industry) & (real_rows.year == year)
    ]
    assert len(hit) == 1
    row = hit.iloc[0]
    assert row["value_text"] == printed
    assert row["value"] == float(printed)
    assert row["value_flag"] == "reported"
    assert row["source_cell"] == cell
    assert row["source_file"] == f"wind-mbr/{province}.xls"


def test_beijing_suppressed_and_bare_names(real_rows):
    beijing = real_rows[real_rows.source_file == "wind-mbr/北京.xlsx"]
    coal_2016 = beijing[(beijing.industry_label == "煤炭开采和洗选业") & (beijing.year == 2016)].iloc[0]
    assert coal_2016["value_flag"] == "suppressed"
    assert coal_2016["value_text"] == "***"
    assert coal_2016["value"] != coal_2016["value"]  # NaN: suppressed is null, never zero
    # bare names: province from the file name, leading spaces stripped, years descending in the file
    assert set(beijing["province_label"]) == {"北京"}
    assert beijing["indicator_label"].isna().all()
    assert sorted(beijing["year"].unique()) == list(range(2006, 2017))
    assert (real_rows["value_flag"] == "suppressed").sum() == (real_rows["value_text"] == "***").sum() > 0


def test_blank_cells_are_missing_not_zero(real_rows):
    missing = real_rows[real_rows.value_flag == "missing"]
    assert len(missing) > 0
    assert missing["value"].isna().all()
    assert missing["value_text"].isna().all()
    reported = real_rows[real_rows.value_flag == "reported"]
    assert reported["value"].notna().all()


def test_hierarchical_series_names(real_rows):
    hlj = real_rows[real_rows.source_file == "wind-mbr/黑龙江.xls"]
    series = hlj[hlj.industry_label == "纺织业"].iloc[0]["series_name"]
    assert series == "黑龙江:主营业务收入:制造业:纺织业"
    assert set(hlj["province_label"]) == {"黑龙江"}


# --- synthetic files for the layouts and the errors ---------------------------------------------


def write_book(path: Path, rows: list[list]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Sheet1"
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def test_metadata_rows_footer_and_integer_years(tmp_path):
    path = write_book(
        tmp_path / "上海.xlsx",
        [
            ["指标名称", "上海:主营业务收入:纺织业", "上海:主营业务收入:制造业"],
            ["频率", "年", "年"],
            ["单位", "万元", "万元"],
            [2015, 10.5, "***"],
            [datetime(2014, 12, 31), "1,200", None],
            ["数据来源：Wind"],
        ],
    )
    rows = parse(path)
    assert [(r["industry_label"], r["year"], r["value"], r["value_flag"]) for r in rows] == [
        ("纺织业", 2015, 10.5, "reported"),
        ("制造业", 2015, None, "suppressed"),
        ("纺织业", 2014, 1200.0, "reported"),
        ("制造业", 2014, None, "missing"),
    ]
    assert rows[2]["source_cell"] == "B5"


def expect_error(path: Path, *fragments: str, **overrides) -> SourceFileError:
    with pytest.raises(SourceFileError) as caught:
        parse(path, **overrides)
    message = str(caught.value)
    for fragment in fragments:
        assert fragment in message, message
    return caught.value


def test_error_names_cell_of_a_row_that_is_not_a_year(tmp_path):
    path = write_book(
        tmp_path / "江苏.xlsx",
        [
            ["指标名称", "江苏:主营业务收入:纺织业"],
            [datetime(2014, 12, 31), 1.0],
            ["二〇一五", 2.0],
        ],
    )
    error = expect_error(
        path, "江苏.xlsx", "sheet 'Sheet1'", "row 3", "column A", "Dec-31 date or an integer year", "二〇一五"
    )
    assert (error.row, error.col) == (2, 0)


def test_error_on_monthly_dates(tmp_path):
    path = write_book(tmp_path / "江苏.xlsx", [["指标名称", "江苏:主营业务收入:纺织业"], [datetime(2014, 6, 30), 1.0]])
    expect_error(path, "row 2", "column A", "not a year-end date", "2014-06-30")


def test_error_on_non_numeric_value(tmp_path):
    path = write_book(
        tmp_path / "江苏.xlsx",
        [
            ["指标名称", "江苏:主营业务收入:纺织业", "江苏:主营业务收入:医药制造业"],
            [2014, 1.0, "n/a"],
        ],
    )
    expect_error(path, "row 2", "column C", "cell C2", "not a number", "'n/a'")


def test_error_on_unit_contradicting_catalogue(tmp_path):
    path = write_book(
        tmp_path / "江苏.xlsx",
        [
            ["指标名称", "江苏:主营业务收入:纺织业"],
            ["单位", "亿元"],
            [2014, 1.0],
        ],
    )
    expect_error(path, "row 2", "column B", "contradicts the source catalogue", "'万元'", "'亿元'")


def test_error_on_other_indicator(tmp_path):
    path = write_book(tmp_path / "江苏.xlsx", [["指标名称", "江苏:利润总额:纺织业"], [2014, 1.0]])
    expect_error(path, "row 1", "column B", "different indicator", "主营业务收入")


def test_error_on_missing_header(tmp_path):
    path = write_book(tmp_path / "江苏.xlsx", [["地区", "纺织业"], [2014, 1.0]])
    expect_error(path, "cell A1", "not laid out as a Wind EDB export", "指标名称")


def test_error_on_duplicate_year(tmp_path):
    path = write_book(tmp_path / "江苏.xlsx", [["指标名称", "江苏:主营业务收入:纺织业"], [2014, 1.0], [2014, 2.0]])
    expect_error(path, "row 3", "year 2014 appears twice", "row 2")


def test_error_on_unreadable_file(tmp_path):
    path = tmp_path / "江苏.xls"
    path.write_bytes(b"\x00\x01 neither a workbook nor a web page")
    expect_error(path, "江苏.xls", "is neither an Excel workbook nor an HTML table")


def test_web_page_saved_as_xls_is_read_and_then_judged_by_layout(tmp_path):
    # recognised by content as an HTML table, then rejected because it is not a Wind export
    path = tmp_path / "江苏.xls"
    path.write_bytes("<html><table><tr><td>地区</td><td>1</td></tr></table></html>".encode())
    expect_error(path, "江苏.xls", "sheet '(html)'", "row 1, column A", "not laid out as a Wind EDB export")


def test_catalogue_rejects_files_of_no_family(tmp_path):
    (tmp_path / "wind-mbr").mkdir()
    write_book(tmp_path / "wind-mbr" / "上海.xlsx", [["指标名称", "上海:主营业务收入:纺织业"], [2014, 1.0]])
    (tmp_path / "mystery").mkdir()
    (tmp_path / "mystery" / "table.csv").write_text("a,b\n")
    with pytest.raises(SourceFileError) as caught:
        Catalogue.load().files_of(tmp_path)
    assert "mystery/table.csv" in str(caught.value)
    assert "matches no family" in str(caught.value)


def test_catalogue_assigns_real_collection(yearbook_dir):
    files = Catalogue.load().files_of(yearbook_dir)
    assert len(files["wind_mbr"]) == 31
