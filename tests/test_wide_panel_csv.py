"""The wide province x industry CSV panel parser: the real employment panel and bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from orchestration.core.errors import SourceFileError
from orchestration.ingest.catalogue import Catalogue
from orchestration.ingest.wide_panel_csv import parse_wide_panel_csv


def parse(path: Path, derived=()):
    return parse_wide_panel_csv(
        path, display_name=path.name, expected_indicator_label="城镇单位就业人员", catalogue_unit="人", derived=derived
    )


@pytest.fixture(scope="module")
def panel(yearbook_dir):
    family = Catalogue.load().families["employment"]
    return parse(yearbook_dir / "employment" / "CityEmp.csv", derived=family.derived)


def test_real_panel_parses_completely(panel):
    assert len(panel) == 372 * 38
    assert len({r["province_label"] for r in panel}) == 31
    assert {r["year"] for r in panel} == set(range(2005, 2017))
    jiangsu = next(
        r for r in panel if r["province_label"] == "江苏" and r["year"] == 2014 and r["industry_label"] == "汽车制造业"
    )
    assert (jiangsu["value"], jiangsu["value_flag"], jiangsu["source_cell"]) == (249714.0, "reported", "AN179")


def test_compiler_split_cells_are_flagged_derived(panel):
    derived = {(r["industry_label"], r["year"]) for r in panel if r["value_flag"] == "derived"}
    assert {label for label, _ in derived} == {"汽车制造业", "铁路、船舶、航空航天和其他运输设备制造业"}
    assert {year for _, year in derived} == set(range(2005, 2012))
    fractional = [r for r in panel if r["value"] is not None and r["value"] != int(r["value"])]
    assert fractional and all(r["value_flag"] == "derived" for r in fractional)


def test_gbk_file_reads_the_same(panel, yearbook_dir, tmp_path):
    text = (yearbook_dir / "employment" / "CityEmp.csv").read_text(encoding="utf-8-sig")
    (tmp_path / "CityEmp.csv").write_bytes(text.encode("gbk"))
    family = Catalogue.load().families["employment"]
    again = parse(tmp_path / "CityEmp.csv", derived=family.derived)
    assert [(r["province_label"], r["industry_label"], r["year"], r["value"], r["value_flag"]) for r in again] == [
        (r["province_label"], r["industry_label"], r["year"], r["value"], r["value_flag"]) for r in panel
    ]


@pytest.mark.parametrize(
    "content, fragments",
    [
        ("province,year,纺织业\n安徽,2005,12x\n", ["row 2", "column C", "not a number", "12x"]),
        ("province,year,纺织业\n安徽,二〇〇五,12\n", ["row 2", "column B", "not a year"]),
        (
            "province,year,纺织业,纺织业\n安徽,2005,1,2\n",
            ["row 1", "column D", "repeats an industry (also in column C)"],
        ),
        ("province,year,纺织业\n安徽,2005,1\n安徽,2005,2\n", ["row 3", "repeats 安徽 2005 (also in row 2)"]),
        ("地区,年份,纺织业\n安徽,2005,1\n", ["cell A1", "not laid out as a wide province x industry panel"]),
        ("province,year,纺织业\n安徽,2005\n", ["row 2", "2 cells in a row of a 3-column table"]),
    ],
)
def test_bad_panels_name_the_cell(tmp_path, content, fragments):
    path = tmp_path / "panel.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(SourceFileError) as caught:
        parse(path)
    for fragment in fragments:
        assert fragment in str(caught.value), str(caught.value)


def test_text_that_is_neither_utf8_nor_gbk(tmp_path):
    path = tmp_path / "panel.csv"
    path.write_bytes("province,year,纺织业\n".encode("utf-16"))
    with pytest.raises(SourceFileError, match="neither UTF-8 nor GBK"):
        parse(path)


def test_leading_comment_lines_keep_true_row_numbers(tmp_path):
    path = tmp_path / "panel.csv"
    path.write_text("# SAMPLE\nprovince,year,纺织业\n安徽,2005,1\n安徽,2006,x\n", encoding="utf-8")
    with pytest.raises(SourceFileError) as caught:
        parse(path)
    assert "row 4" in str(caught.value) and "cell C4" in str(caught.value)
