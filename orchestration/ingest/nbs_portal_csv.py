"""Parser for NBS data-portal exports (data.stats.gov.cn, 分省年度数据) saved as CSV:

    数据库：分省年度数据
    指标：地区生产总值(亿元)
    时间：1993-2017
    地区,2017年,2016年,...          <- years as columns, newest first
    北京市,28014.94,25669.13,...
    注：...                          <- footnotes after the table
    数据来源：国家统计局

GBK or UTF-8. The unit is the one in brackets on the 指标 line and must agree with the catalogue.
The data vintage is decided from what the file says: a note that the series were revised after
the N-th economic census (经济普查) makes every row 'revised_census_N'; a 注 note without one (the
portal prints 注：本表按当年价格计算… on the series as first published) makes it 'as_published'.
A file with no 注 note at all says neither, and its numbers cannot tell: both vintages cover
2006-2017 for all 31 provinces at magnitudes up to 1.56x apart in either direction. Such a file is
refused by name rather than guessed (a revised export whose footnote was deleted would otherwise
be published as the first-published series). The footnote text is kept with the rows.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from ..core.errors import SourceFileError
from .cells import normalise_label
from .wide_panel_csv import SHEET, csv_cell_row, csv_number, read_text

CHINESE_NUMBERS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
EXTRA_COLUMNS = ["data_vintage", "vintage_note"]


def parse_nbs_portal_csv(
    path: Path, *, display_name: str, expected_indicator_label: str, catalogue_unit: str
) -> list[dict]:
    text, _ = read_text(path, display_name)
    rows = list(csv.reader(io.StringIO(text)))
    meta, header_row = _read_preamble(rows, display_name)
    indicator = meta.get("指标", "")
    _check_indicator(indicator, rows, display_name, expected_indicator_label, catalogue_unit)
    header = rows[header_row]
    years = _read_years(header, header_row, display_name)
    data, notes = _split_table_and_notes(rows, header_row, display_name)
    vintage, note = _vintage(notes, display_name), " ".join(notes)
    out = []
    for r in data:
        row = rows[r]
        if len(row) > len(header) and any(cell.strip() for cell in row[len(header) :]):
            raise SourceFileError(
                display_name,
                "has more cells than the header",
                sheet=SHEET,
                row=r,
                col=len(header),
                expected=f"{len(header)} cells",
            )
        province = normalise_label(row[0])
        for c, year in enumerate(years, start=1):
            raw = row[c] if c < len(row) else ""
            value, flag = csv_number(raw, display_name, r, c)
            cell = csv_cell_row(
                province=province,
                indicator_label=expected_indicator_label,
                industry_label=expected_indicator_label,
                series_name=indicator,
                year=year,
                raw=raw,
                value=value,
                flag=flag,
                unit=catalogue_unit,
                r=r,
                c=c,
            )
            out.append({**cell, "data_vintage": vintage, "vintage_note": note})
    if not out:
        raise SourceFileError(display_name, "has a header but no data rows", sheet=SHEET, row=header_row)
    return out


def _read_preamble(rows: list[list[str]], display_name: str) -> tuple[dict[str, str], int]:
    """The 数据库/指标/时间 lines above the table, and the row of its header (地区 …)."""
    meta: dict[str, str] = {}
    for r, row in enumerate(rows):
        first = row[0].strip() if row else ""
        match = re.match(r"^(数据库|指标|时间)[：:](.*)$", first)
        if match:
            meta[match.group(1)] = match.group(2).strip()
            continue
        if first in ("地区", "地 区"):
            return meta, r
        if first:
            raise SourceFileError(
                display_name,
                "has an unexpected line before the table",
                sheet=SHEET,
                row=r,
                col=0,
                expected="数据库/指标/时间 lines, then a header starting with 地区",
                found=first,
            )
    raise SourceFileError(
        display_name,
        "has no table header",
        sheet=SHEET,
        expected="a row starting with 地区 after the 数据库/指标/时间 lines",
    )


def _check_indicator(
    indicator: str, rows: list[list[str]], display_name: str, expected_label: str, catalogue_unit: str
) -> None:
    """The 指标 line names the family's indicator and the catalogue's unit: '地区生产总值(亿元)'."""
    match = re.fullmatch(r"(.+?)\((.+)\)", indicator)
    if not match or match.group(1).strip() != expected_label:
        raise SourceFileError(
            display_name,
            "names another indicator than its catalogue family",
            sheet=SHEET,
            row=_line_of(rows, "指标"),
            col=0,
            expected=f"'指标：{expected_label}({catalogue_unit})'",
            found=indicator,
        )
    if match.group(2).strip() != catalogue_unit:
        raise SourceFileError(
            display_name,
            "states a unit that contradicts the source catalogue",
            sheet=SHEET,
            row=_line_of(rows, "指标"),
            col=0,
            expected=repr(catalogue_unit),
            found=match.group(2),
        )


def _read_years(header: list[str], header_row: int, display_name: str) -> list[int]:
    """The header's year columns ('2017年', newest first in portal exports)."""
    years = []
    for c, cell in enumerate(header[1:], start=1):
        year = re.fullmatch(r"\s*(\d{4})年?\s*", cell)
        if not year:
            raise SourceFileError(
                display_name,
                "has a column that is not a year",
                sheet=SHEET,
                row=header_row,
                col=c,
                expected="'2017年'",
                found=cell,
            )
        years.append(int(year.group(1)))
    return years


def _split_table_and_notes(rows: list[list[str]], header_row: int, display_name: str) -> tuple[list[int], list[str]]:
    """The data rows below the header, and the footnotes (注, 数据来源) that must follow them."""
    data, notes = [], []
    for r in range(header_row + 1, len(rows)):
        row = rows[r]
        first = row[0].strip() if row else ""
        if not first:
            continue
        if first.startswith(("注", "数据来源", "资料来源")):
            notes.append(" ".join(cell.strip() for cell in row if cell.strip()))
            continue
        if notes:
            raise SourceFileError(
                display_name,
                "has table rows after its footnotes",
                sheet=SHEET,
                row=r,
                col=0,
                expected="footnotes only after the table",
                found=first,
            )
        data.append(r)
    return data, notes


def _line_of(rows: list[list[str]], label: str) -> int:
    return next(r for r, row in enumerate(rows) if row and row[0].strip().startswith(label))


def _vintage(notes: list[str], display_name: str) -> str:
    for note in notes:
        census = re.search(r"第([一二三四五六七八九])次全国经济普查", note)
        if census and "修订" in note:
            return f"revised_census_{CHINESE_NUMBERS[census.group(1)]}"
    if any(note.startswith("注") for note in notes):
        return "as_published"
    raise SourceFileError(
        display_name,
        "does not say which GDP vintage it holds: it has no footnote (注：…) after the table, and the numbers "
        "alone cannot tell the series as first published from one revised after an economic census "
        "(经济普查). Export the table again from the portal with its footnotes, or restore the 注 line",
        sheet=SHEET,
        expected="a line '注：…' after the table (e.g. '注：…在第五次全国经济普查后…进行了系统修订。')",
    )
