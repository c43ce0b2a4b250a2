"""NBS data-portal CSV exports: the real GDP exports of two vintages, and bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from orchestration.core.errors import SourceFileError
from orchestration.ingest.nbs_portal_csv import parse_nbs_portal_csv


def parse(path: Path):
    return parse_nbs_portal_csv(
        path, display_name=path.name, expected_indicator_label="地区生产总值", catalogue_unit="亿元"
    )


def cell(rows, province, year):
    return next(r for r in rows if r["province_label"] == province and r["year"] == year)


def test_both_real_vintages(yearbook_dir):
    original = parse(next((yearbook_dir / "nbs-gdp").glob("*GDP_1993-2017.csv")))
    revised = parse(next((yearbook_dir / "nbs-gdp").glob("*GDP_2006-2024.csv")))
    assert {r["data_vintage"] for r in original} == {"as_published"}
    assert {r["data_vintage"] for r in revised} == {"revised_census_5"}
    assert "第五次全国经济普查" in revised[0]["vintage_note"]
    assert cell(original, "江苏省", 2014)["value"] == 65088.32  # README of the extracts
    assert cell(revised, "江苏省", 2014)["value"] == 66228.3
    assert len({r["province_label"] for r in original}) == 31 and len(original) == 31 * 25
    assert {r["year"] for r in revised} == set(range(2006, 2025))
    # years are columns newest first: 2017 is column B
    assert cell(original, "北京市", 2017)["source_cell"] == "B5"


def write(tmp_path, lines, encoding="gbk") -> Path:
    path = tmp_path / "export.csv"
    path.write_bytes("\r\n".join(lines).encode(encoding))
    return path


GOOD = [
    "数据库：分省年度数据",
    "指标：地区生产总值(亿元)",
    "时间：2016-2017",
    "地区,2017年,2016年",
    "北京市,28014.94,25669.13",
    "注：本表按当年价格计算。",
    "数据来源：国家统计局",
]


def test_utf8_export_reads_like_gbk(tmp_path):
    rows = parse(write(tmp_path, GOOD, "utf-8"))
    assert [(r["year"], r["value"]) for r in rows] == [(2017, 28014.94), (2016, 25669.13)]
    assert {r["data_vintage"] for r in rows} == {"as_published"}


@pytest.mark.parametrize(
    "lines, fragments",
    [
        (
            [*GOOD[:1], "指标：地区生产总值(万元)", *GOOD[2:]],
            ["row 2", "contradicts the source catalogue", "'亿元'", "'万元'"],
        ),
        ([*GOOD[:1], "指标：人均地区生产总值(元)", *GOOD[2:]], ["row 2", "names another indicator"]),
        ([*GOOD[:3], "地区,2017年,去年", *GOOD[4:]], ["row 4", "column C", "not a year"]),
        ([*GOOD[:4], "北京市,28014.94,n/a", *GOOD[5:]], ["row 5", "column C", "not a number"]),
        ([*GOOD, "天津市,1,2"], ["row 8", "table rows after its footnotes"]),
        (GOOD[:3], ["has no table header"]),
    ],
)
def test_bad_exports_name_the_cell(tmp_path, lines, fragments):
    with pytest.raises(SourceFileError) as caught:
        parse(write(tmp_path, lines))
    for fragment in fragments:
        assert fragment in str(caught.value), str(caught.value)


def test_export_without_its_vintage_footnote_is_refused_by_name(tmp_path):
    lines = [line for line in GOOD if not line.startswith("注")]
    with pytest.raises(SourceFileError) as caught:
        parse(write(tmp_path, lines))
    message = str(caught.value)
    assert message.startswith("file export.csv, sheet '(csv)': does not say which GDP vintage")
    assert "注" in message and "经济普查" in message
