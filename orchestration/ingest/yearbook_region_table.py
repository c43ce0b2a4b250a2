"""Parser for printed statistical-yearbook tables by region, e.g. 5-3 各地区高技术产业生产经营情况:

    5-3  各地区高技术产业生产经营情况 (2014年)                      <- title: table number, data year
    Statistics on Production and Management in High-tech ...(2014)  <- English subtitle
    单位：亿元 (100 million yuan)                                    <- unit line (optional)
    地 区 | Region | 企业数 (个) Number of ... | 主营业 务收入 ... | ...  <- header, 1 to 6 rows, bilingual
    全 国 | National Total | 27939 | 127368 | ...
    东部地区 | Eastern Region | ...                                   <- macro-region subtotals
    北 京 | Beijing | ...                                            <- provinces, inner spaces
    注：...                                                          <- footnotes (optional)

Editions differ: header rows split words across rows (``主营业`` / ``务收入``), the English column
may be missing (web exports, retyped copies), the unit may sit in a unit line or in each header,
numbers may be text. The parser finds the title, takes the data year from it, reads each data
column's header as the Chinese words of all header rows joined, and maps it to an indicator of
the catalogue's column list; an unknown column, a unit that disagrees, or a cell that is not a
number is an error naming the cell.

Region labels are kept as printed (inner spaces removed); the dbt models map them to provinces,
macro-regions and the nation, and keep macro-region subtotals apart from provinces.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ..core.errors import SourceFileError, column_letter
from .cells import FLAG_MISSING, FLAG_REPORTED, is_number, normalise_label, number_from
from .workbook import Sheet, read_workbook

EXTRA_COLUMNS = ["indicator", "region_label_en", "data_year", "table_title", "unit_basis", "file_kind", "was_encrypted"]
# Where a column's unit was read: its own header, the table's 单位 line, or (a copy that prints
# none, like one retyped edition) the catalogue, the same rule as for Wind exports without a 单位 row.
UNIT_FROM_HEADER, UNIT_FROM_UNIT_LINE, UNIT_FROM_CATALOGUE = "header", "unit_line", "catalogue"

FOOTER_PREFIXES = ("注", "摘编自", "数据来源", "资料来源", "Note", "Source")
NOT_AVAILABLE = {"-", "—", "--", "…", "...", "x", "X"}
_CJK = re.compile(r"[\u4e00-\u9fff]+")
_YEAR_ZH = re.compile(r"((?:19|20)\d{2})\s*年")
_YEAR_PAREN = re.compile(r"\(\s*((?:19|20)\d{2})\s*\)")
_TABLE_NUMBER = re.compile(r"^\s*(\d+\s*-\s*\d+)")
_UNIT_IN_PARENS = re.compile(r"[(（]\s*([^()（）]*?)\s*[)）]")


@dataclass(frozen=True)
class ColumnSpec:
    indicator: str
    headers_zh: tuple[str, ...]
    unit: str


@dataclass(frozen=True)
class DataColumn:
    col: int
    spec: ColumnSpec
    header_zh: str  # the Chinese words of the header, joined (e.g. 主营业务收入)
    header_text: str  # the header as printed, rows joined with ' / '
    unit: str
    unit_basis: str


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _is_number(value: object) -> bool:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return True
    return isinstance(value, str) and re.fullmatch(r"\s*-?[\d,]+(\.\d+)?\s*", value) is not None


def parse_yearbook_region_table(
    path: Path,
    *,
    display_name: str,
    expected_indicator_label: str,
    catalogue_unit: str,
    title_contains: str,
    columns: tuple[dict, ...],
) -> list[dict]:
    """Parse one yearbook region table (any copy: xls, xlsx, HTML) into long rows."""
    specs = tuple(ColumnSpec(c["indicator"], tuple(c["headers_zh"]), c["unit"]) for c in columns)
    workbook = read_workbook(path, display_name)
    sheet, title_row = _table_sheet(workbook.sheets, title_contains, display_name)
    title = _title_text(sheet, title_row)
    year = _data_year(sheet, title_row, display_name)
    first_data = _first_data_row(sheet, title_row, display_name)
    data_columns = _data_columns(sheet, title_row, first_data, specs, display_name)
    label_en_col = 1 if data_columns[0].col > 1 else None
    out: list[dict] = []
    for r, label, row in _region_rows(sheet, first_data, data_columns, display_name):
        label_en = _cell_text(_at(row, label_en_col)) if label_en_col is not None else None
        for column in data_columns:
            raw = _at(row, column.col)
            value_text, value, flag = _value_of(raw, display_name, sheet.name, r, column.col)
            out.append(
                {
                    "province_label": label,
                    "indicator_label": column.header_zh,
                    "industry_label": "高技术产业",
                    "series_name": column.header_text,
                    "year": year,
                    "value_text": value_text,
                    "value": value,
                    "value_flag": flag,
                    "unit": column.unit,
                    "unit_basis": column.unit_basis,
                    "source_sheet": sheet.name,
                    "source_row": r + 1,
                    "source_column": column_letter(column.col),
                    "source_cell": f"{column_letter(column.col)}{r + 1}",
                    "indicator": column.spec.indicator,
                    "region_label_en": label_en or None,
                    "data_year": year,
                    "table_title": title,
                    "file_kind": workbook.kind,
                    "was_encrypted": workbook.was_encrypted,
                }
            )
    return out


def _table_sheet(sheets: list[Sheet], title_contains: str, file: str) -> tuple[Sheet, int]:
    """The one sheet whose title names the table, and the title's row."""
    candidates = [(s, r) for s in sheets for r in [_title_row(s, title_contains)] if r is not None]
    if not candidates:
        raise SourceFileError(
            file,
            f"has no sheet with a table titled …{title_contains}…",
            expected=f"a title containing {title_contains!r} near the top of a sheet",
        )
    if len(candidates) > 1:
        raise SourceFileError(
            file,
            "has the table on more than one sheet",
            expected="one sheet with the table",
            found=[s.name for s, _ in candidates],
        )
    return candidates[0]


def _region_rows(
    sheet: Sheet, first_data: int, data_columns: list[DataColumn], file: str
) -> Iterator[tuple[int, str, list[object]]]:
    """Each region's row (its position, its label as printed, its cells), up to the footnotes; a
    region listed twice, or values without a region name, are refused."""
    seen: dict[str, int] = {}
    for r in range(first_data, len(sheet.rows)):
        row = sheet.rows[r]
        label = normalise_label(row[0] if row else None)
        numbers = [c for c in data_columns if _cell_text(_at(row, c.col))]
        if not label and not numbers:
            continue  # spacer row (some editions group provinces in blocks)
        if label.startswith(FOOTER_PREFIXES) and not numbers:
            break
        if not label:
            raise SourceFileError(
                file,
                "has values in a row without a region name",
                sheet=sheet.name,
                row=r,
                col=0,
                expected="a region name in column A",
            )
        if label in seen:
            raise SourceFileError(
                file,
                f"lists region {label} twice (also in row {seen[label] + 1})",
                sheet=sheet.name,
                row=r,
                col=0,
                expected="each region once",
            )
        seen[label] = r
        yield r, label, row
    if not seen:
        raise SourceFileError(
            file,
            "has a header but no region rows",
            sheet=sheet.name,
            expected="one row per region after the header",
        )


def _at(row: list[object], col: int | None) -> object:
    return row[col] if col is not None and col < len(row) else None


def _title_row(sheet: Sheet, title_contains: str) -> int | None:
    for r, row in enumerate(sheet.rows[:12]):
        if any(title_contains in normalise_label(v) for v in row if isinstance(v, str)):
            return r
    return None


def _title_text(sheet: Sheet, title_row: int) -> str:
    return " ".join(" ".join(str(v).split()) for v in sheet.rows[title_row] if v)


def _data_year(sheet: Sheet, title_row: int, file: str) -> int:
    """The data year, printed in the title (2014年) or the English subtitle ((2014))."""
    for r in (title_row, title_row + 1):
        if r >= len(sheet.rows):
            break
        for value in sheet.rows[r]:
            if isinstance(value, str):
                found = _YEAR_ZH.search(value) or (_YEAR_PAREN.search(value) if r > title_row else None)
                if found:
                    year = int(found.group(1))
                    named = re.findall(r"(?<!\d)((?:19|20)\d{2})(?!\d)", Path(file).name)
                    if named and int(named[0]) != year:
                        raise SourceFileError(
                            file,
                            f"has a title for {year} but a file name for {named[0]}",
                            sheet=sheet.name,
                            row=r,
                            expected="the same year in both",
                            found=value,
                        )
                    return year
    raise SourceFileError(
        file,
        "states no data year in its title",
        sheet=sheet.name,
        row=title_row,
        expected="a title such as '…生产经营情况(2014年)'",
        found=sheet.rows[title_row],
    )


def _first_data_row(sheet: Sheet, title_row: int, file: str) -> int:
    for r in range(title_row + 1, len(sheet.rows)):
        row = sheet.rows[r]
        if normalise_label(_at(row, 0)) and any(_is_number(v) for v in row[1:]):
            return r
    raise SourceFileError(
        file, "has no data rows under its title", sheet=sheet.name, row=title_row, expected="region rows with numbers"
    )


def _data_columns(
    sheet: Sheet, title_row: int, first_data: int, specs: tuple[ColumnSpec, ...], file: str
) -> list[DataColumn]:
    header_rows = _header_rows(sheet, title_row, first_data)
    unit_line = _unit_line(sheet, title_row, first_data)
    header_row = header_rows[0] if header_rows else title_row
    first = sheet.rows[first_data]
    numeric_cols = [c for c, v in enumerate(first) if c > 0 and _is_number(v)]
    start = numeric_cols[0]
    width = max(len(sheet.rows[r]) for r in range(first_data, len(sheet.rows)))
    out = []
    for c in range(start, width):
        parts = [_cell_text(_at(sheet.rows[r], c)) for r in header_rows]
        parts = [p for p in parts if p]
        header_text = " / ".join(" ".join(p.split()) for p in parts)
        if not header_text:
            _refuse_values_without_header(sheet, first_data, c, file)
            continue
        joined = "".join(parts)
        chinese = "".join(_CJK.findall(_UNIT_IN_PARENS.sub("", joined)))  # 企业数(个) -> 企业数
        spec = _catalogue_spec(chinese, header_text, specs, file, sheet.name, header_row, c)
        unit, basis = _column_unit(joined, unit_line, spec, file, sheet.name, header_row, c)
        out.append(DataColumn(c, spec, chinese, header_text, unit, basis))
    if not out:
        raise SourceFileError(
            file,
            "has no data columns",
            sheet=sheet.name,
            row=first_data,
            expected="numeric columns right of the region names",
        )
    _refuse_repeated_indicators(out, sheet, header_row, file)
    return out


def _header_rows(sheet: Sheet, title_row: int, first_data: int) -> list[int]:
    """The rows between the title and the data that hold column headers (not the 单位 line)."""
    return [
        r
        for r in range(title_row + 1, first_data)
        if not any(normalise_label(v).startswith("单位") for v in sheet.rows[r])
    ]


def _unit_line(sheet: Sheet, title_row: int, first_data: int) -> str:
    """The table's 单位 line, or '' when it prints none."""
    return " ".join(
        normalise_label(v)
        for r in range(title_row + 1, first_data)
        for v in sheet.rows[r]
        if normalise_label(v).startswith("单位")
    )


def _refuse_values_without_header(sheet: Sheet, first_data: int, c: int, file: str) -> None:
    """A column without a header is harmless only if no data sits under it."""
    if any(_cell_text(_at(sheet.rows[r], c)) for r in range(first_data, len(sheet.rows))):
        raise SourceFileError(
            file,
            "has a data column without a header",
            sheet=sheet.name,
            row=first_data,
            col=c,
            expected="a column header above the data",
        )


def _catalogue_spec(
    chinese: str, header_text: str, specs: tuple[ColumnSpec, ...], file: str, sheet: str, r: int, c: int
) -> ColumnSpec:
    """The catalogue's column whose header the printed one starts with; an unknown one is refused."""
    spec = _match(chinese, specs)
    if spec is None:
        raise SourceFileError(
            file,
            "has a column the catalogue does not know",
            sheet=sheet,
            row=r,
            col=c,
            expected=f"a header starting with one of {[h for s in specs for h in s.headers_zh]}",
            found=header_text,
        )
    return spec


def _refuse_repeated_indicators(data_columns: list[DataColumn], sheet: Sheet, header_row: int, file: str) -> None:
    indicators = [d.spec.indicator for d in data_columns]
    for d in data_columns:
        if indicators.count(d.spec.indicator) > 1:
            raise SourceFileError(
                file,
                f"has two columns for {d.spec.indicator}",
                sheet=sheet.name,
                row=header_row,
                col=d.col,
                expected="each indicator once",
                found=d.header_text,
            )


def _match(chinese: str, specs: tuple[ColumnSpec, ...]) -> ColumnSpec | None:
    for spec in specs:
        if any(chinese.startswith(h) for h in spec.headers_zh):
            return spec
    return None


def _column_unit(
    header: str, unit_line: str, spec: ColumnSpec, file: str, sheet: str, r: int, c: int
) -> tuple[str, str]:
    """A column's unit: stated in its header if there (企业数(个)), else by the table's unit line;
    a unit stated either way must be the catalogue's."""
    stated = [u for u in _UNIT_IN_PARENS.findall(header) if _CJK.fullmatch(u or "")]
    if stated:
        if spec.unit not in stated:
            raise SourceFileError(
                file,
                f"states unit {stated[0]} for {spec.indicator}",
                sheet=sheet,
                row=r,
                col=c,
                expected=f"unit {spec.unit}",
                found=header,
            )
        return spec.unit, UNIT_FROM_HEADER
    if unit_line:
        line_units = set(re.split(r"[,，.。、;；]", unit_line.split("：", 1)[-1].split(":", 1)[-1]))
        if spec.unit not in line_units:
            raise SourceFileError(
                file,
                f"states units {unit_line} that do not include {spec.unit}",
                sheet=sheet,
                row=r,
                col=c,
                expected=f"{spec.unit} for {spec.indicator}",
                found=unit_line,
            )
        return spec.unit, UNIT_FROM_UNIT_LINE
    return spec.unit, UNIT_FROM_CATALOGUE


def _value_of(raw: object, file: str, sheet: str, r: int, c: int) -> tuple[str | None, float | None, str]:
    text = _cell_text(raw)
    if not text:
        return None, None, FLAG_MISSING
    printed = raw if isinstance(raw, (int, float)) else text  # text: inner spaces removed
    if is_number(printed):
        return text, number_from(printed), FLAG_REPORTED
    if text in NOT_AVAILABLE:
        return text, None, FLAG_MISSING
    raise SourceFileError(
        file,
        "has a value that is not a number",
        sheet=sheet,
        row=r,
        col=c,
        expected="a number, blank, or a not-available mark (—, …)",
        found=raw,
    )
