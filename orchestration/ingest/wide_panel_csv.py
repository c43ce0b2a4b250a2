"""Parser for wide province x industry panels in CSV (e.g. the labour-yearbook employment panel):

    province,year,电力、热力生产和供应业,电气机械和器材制造业,...
    安徽,2005,70665.0,39350.0,...

One row per province-year, one column per industry (named, not coded). UTF-8 (with or without
BOM) or GBK. Leading lines starting with '#' are comments (the project's samples say so there).
Blank cells are missing. Cells the catalogue declares derived (values the compiler
computed rather than copied, such as a split of one division into two) are flagged 'derived'.
Output rows have the same shape as the Wind EDB parser's, so the models treat both alike; cells
are addressed like a spreadsheet (sheet '(csv)', column letters, 1-based rows).
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from ..core.errors import SourceFileError, column_letter
from .cells import FLAG_DERIVED, FLAG_MISSING, FLAG_REPORTED, normalise_label, number_from

SHEET = "(csv)"
ENCODINGS = ("utf-8-sig", "gbk")


def read_text(path: Path, display_name: str) -> tuple[str, str]:
    data = path.read_bytes()
    if not data:
        raise SourceFileError(display_name, "is empty (0 bytes)", expected="a CSV panel")
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise SourceFileError(display_name, "is neither UTF-8 nor GBK text", expected="a UTF-8 or GBK CSV file")


def parse_wide_panel_csv(
    path: Path,
    *,
    display_name: str,
    expected_indicator_label: str,
    catalogue_unit: str,
    derived: tuple[dict, ...] = (),
) -> list[dict]:
    text, _ = read_text(path, display_name)
    rows = list(csv.reader(io.StringIO(text)))
    comments = _comment_lines(rows)
    rows = rows[comments:]
    if not rows:
        raise SourceFileError(display_name, "has no rows", expected="a header row")
    header = [h.strip() for h in rows[0]]
    industries = _read_industries(header, comments, display_name)
    out: list[dict] = []
    seen: dict[tuple[str, int], int] = {}
    for r, row in enumerate(rows[1:], start=1 + comments):
        if not any(cell.strip() for cell in row):
            continue
        province, year = _read_row_key(row, r, len(header), seen, display_name)
        for c, industry in enumerate(industries, start=2):
            value, flag = csv_number(row[c], display_name, r, c)
            if flag == FLAG_REPORTED and _is_derived(derived, industry, year):
                flag = FLAG_DERIVED
            out.append(
                csv_cell_row(
                    province=province,
                    indicator_label=expected_indicator_label,
                    industry_label=normalise_label(industry),
                    series_name=industry,
                    year=year,
                    raw=row[c],
                    value=value,
                    flag=flag,
                    unit=catalogue_unit,
                    r=r,
                    c=c,
                )
            )
            # the header cell its industry label was read from
            out[-1]["label_cell"] = f"{column_letter(c)}{comments + 1}"
    if not seen:
        raise SourceFileError(
            display_name, "has a header but no data rows", sheet=SHEET, expected="one row per province and year"
        )
    return out


def _comment_lines(rows: list[list[str]]) -> int:
    """How many '#' comment lines a compiler put above the header."""
    comments = 0
    while comments < len(rows) and rows[comments] and rows[comments][0].lstrip().startswith("#"):
        comments += 1
    return comments


def _read_industries(header: list[str], header_row: int, display_name: str) -> list[str]:
    """The industry columns of a 'province,year,<industry>,...' header, each named once."""
    if header[:2] != ["province", "year"]:
        raise SourceFileError(
            display_name,
            "is not laid out as a wide province x industry panel",
            sheet=SHEET,
            row=header_row,
            col=0,
            expected="header 'province,year,<industry>,...'",
            found=",".join(header[:3]),
        )
    industries = header[2:]
    for c, name in enumerate(industries, start=2):
        if not name:
            raise SourceFileError(
                display_name,
                "has an industry column without a name",
                sheet=SHEET,
                row=header_row,
                col=c,
                expected="an industry name",
            )
        if industries.index(name) + 2 != c:
            raise SourceFileError(
                display_name,
                f"repeats an industry (also in column {column_letter(industries.index(name) + 2)})",
                sheet=SHEET,
                row=header_row,
                col=c,
                expected="each industry once",
                found=name,
            )
    return industries


def _read_row_key(
    row: list[str], r: int, width: int, seen: dict[tuple[str, int], int], display_name: str
) -> tuple[str, int]:
    """A data row's province and year: a full row, a four-digit year, each pair once."""
    if len(row) != width:
        raise SourceFileError(
            display_name,
            f"has {len(row)} cells in a row of a {width}-column table",
            sheet=SHEET,
            row=r,
            col=0,
            expected=f"{width} cells per row",
        )
    province = normalise_label(row[0])
    year_text = row[1].strip()
    if not re.fullmatch(r"\d{4}", year_text) or not 1949 <= int(year_text) <= 2100:
        raise SourceFileError(
            display_name,
            "has a row that is not a year",
            sheet=SHEET,
            row=r,
            col=1,
            expected="a four-digit year",
            found=row[1],
        )
    year = int(year_text)
    if (province, year) in seen:
        raise SourceFileError(
            display_name,
            f"repeats {province} {year} (also in row {seen[(province, year)] + 1})",
            sheet=SHEET,
            row=r,
            col=0,
            expected="one row per province and year",
        )
    seen[(province, year)] = r
    return province, year


def csv_number(raw: str, file: str, r: int, c: int) -> tuple[float | None, str]:
    """A CSV cell as a number: blank is missing; anything else must be a number."""
    text = raw.strip()
    if text == "":
        return None, FLAG_MISSING
    try:
        return number_from(text), FLAG_REPORTED
    except ValueError:
        raise SourceFileError(
            file,
            "has a value that is not a number",
            sheet=SHEET,
            row=r,
            col=c,
            expected="a number or blank (missing)",
            found=raw,
        ) from None


def csv_cell_row(
    *,
    province: str,
    indicator_label: str,
    industry_label: str,
    series_name: str,
    year: int,
    raw: str,
    value: float | None,
    flag: str,
    unit: str,
    r: int,
    c: int,
) -> dict:
    """One long row in the common shape, addressed like a spreadsheet cell."""
    return {
        "province_label": province,
        "indicator_label": indicator_label,
        "industry_label": industry_label,
        "series_name": series_name,
        "year": year,
        "value_text": raw.strip() or None,
        "value": value,
        "value_flag": flag,
        "unit": unit,
        "source_sheet": SHEET,
        "source_row": r + 1,
        "source_column": column_letter(c),
        "source_cell": f"{column_letter(c)}{r + 1}",
    }


def _is_derived(rules: tuple[dict, ...], industry: str, year: int) -> bool:
    return any(industry in rule["columns"] and rule["first_year"] <= year <= rule["last_year"] for rule in rules)
