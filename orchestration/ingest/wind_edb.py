"""Parser for Wind EDB (经济数据库) exports: one column per series, one row per period.

Layout, as found in real exports::

    指标名称 | 江苏:主营业务收入:合计 | 江苏:主营业务收入:采矿业 | ...
    频率     | 年                     | 年                       |   (optional metadata rows:
    单位     | 万元                   | 万元                     |    频率/单位/来源/指标ID/...)
    2005-12-31 | 320984774             | 313598861.1              |
    ...
    数据来源：Wind                                                   (optional footer)

Rows are keyed by Dec-31 dates or integer years, in either order. Series are named
``省:指标:行业``, ``省:指标:上级行业:行业`` (Heilongjiang) or, in some exports (Beijing), by the
bare industry name, in which case the province comes from the file name. ``***`` marks a
suppressed cell; a blank one is missing.

The parser keeps every value as printed and says where it came from; mapping labels to codes is
the job of the dbt models, where the mapping tables are data.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ..core.errors import SourceFileError, column_letter
from .cells import FLAG_MISSING, FLAG_REPORTED, FLAG_SUPPRESSED, normalise_label, number_from
from .workbook import Sheet, is_date, read_sheets

HEADER_LABEL = "指标名称"
# Metadata rows Wind may put between the header and the data, by their first cell.
METADATA_LABELS = {"频率", "单位", "来源", "指标ID", "更新时间", "时间区间", "国家/地区", "数据来源"}
FOOTER_PREFIXES = ("数据来源", "注", "资料来源", "Source")
SUPPRESSED = "***"
SERIES_SEPARATOR = re.compile(r"[:：]")


@dataclass(frozen=True)
class Series:
    col: int
    name: str
    province_label: str
    indicator_label: str | None
    industry_label: str


def parse_wind_edb_export(
    path: Path,
    *,
    display_name: str,
    expected_indicator_label: str,
    catalogue_unit: str,
) -> list[dict]:
    """Parse one Wind EDB export into long rows, one per (series, year) cell.

    ``display_name`` is how the file is named in messages and lineage (its path under the
    raw-data directory). Raises ``SourceFileError`` naming file, sheet, row and column.
    """
    out: list[dict] = []
    sheets = [s for s in read_sheets(path, display_name) if _has_content(s)]
    if not sheets:
        raise SourceFileError(display_name, "has no non-empty sheet", expected="a Wind EDB export")
    for sheet in sheets:
        out.extend(_parse_sheet(sheet, path, display_name, expected_indicator_label, catalogue_unit))
    return out


def _has_content(sheet: Sheet) -> bool:
    return any(v is not None for row in sheet.rows for v in row)


def _parse_sheet(sheet: Sheet, path: Path, file: str, expected_indicator: str, catalogue_unit: str) -> list[dict]:
    _require_header_label(sheet, file)
    series = _read_series(sheet, path, file, expected_indicator)
    out: list[dict] = []
    for r, year, row, units in _year_rows(sheet, series, file, catalogue_unit):
        for s in series:
            raw = row[s.col] if s.col < len(row) else None
            value_text, value, flag = _value_of(raw, file, sheet.name, r, s.col)
            out.append(
                {
                    "province_label": s.province_label,
                    "indicator_label": s.indicator_label,
                    "industry_label": s.industry_label,
                    "series_name": s.name,
                    "year": year,
                    "value_text": value_text,
                    "value": value,
                    "value_flag": flag,
                    "unit": units.get(s.col, catalogue_unit),
                    "source_sheet": sheet.name,
                    "source_row": r + 1,
                    "source_column": column_letter(s.col),
                    "source_cell": f"{column_letter(s.col)}{r + 1}",
                    # the header cell its province and industry labels were read from
                    "label_cell": f"{column_letter(s.col)}1",
                }
            )
    return out


def _require_header_label(sheet: Sheet, file: str) -> None:
    rows = sheet.rows
    first = _clean(rows[0][0]) if rows and rows[0] else None
    if first != HEADER_LABEL:
        raise SourceFileError(
            file,
            "is not laid out as a Wind EDB export",
            sheet=sheet.name,
            row=0,
            col=0,
            expected=f"the header label {HEADER_LABEL!r}",
            found=rows[0][0] if rows and rows[0] else None,
        )


def _year_rows(
    sheet: Sheet, series: list[Series], file: str, catalogue_unit: str
) -> Iterator[tuple[int, int, list, dict[int, str]]]:
    """Each data row (its position, its year, its cells) with the units stated above it, up to the
    footer; metadata rows are read (the 单位 row checked) or skipped, a year twice is refused."""
    units: dict[int, str] = {}
    seen_years: dict[int, int] = {}
    for r in range(1, len(sheet.rows)):
        row = sheet.rows[r]
        key = row[0] if row else None
        if key is None and all(v is None for v in row):
            continue
        label = _clean(key) if isinstance(key, str) else None
        if label == HEADER_LABEL:
            raise SourceFileError(
                file,
                "repeats the header row",
                sheet=sheet.name,
                row=r,
                col=0,
                expected="one 指标名称 header row (row 1), then data rows",
                found=key,
            )
        if label in METADATA_LABELS:
            if label == "单位":
                units = _check_units(sheet, file, r, row, series, catalogue_unit)
            continue
        if label is not None and label.startswith(FOOTER_PREFIXES):
            break  # Wind's source/footnote lines close the table
        year = _year_of(key, file, sheet.name, r)
        if year in seen_years:
            raise SourceFileError(
                file,
                f"year {year} appears twice (also in row {seen_years[year] + 1})",
                sheet=sheet.name,
                row=r,
                col=0,
                expected="one row per year",
            )
        seen_years[year] = r
        yield r, year, row, units
    if not seen_years:
        raise SourceFileError(
            file,
            "has a header but no data rows",
            sheet=sheet.name,
            expected="rows keyed by Dec-31 dates or integer years",
        )


def _clean(text: object) -> str | None:
    """Strip all whitespace, including the inner spaces printed yearbooks use to pad names."""
    return normalise_label(text) or None


def _read_series(sheet: Sheet, path: Path, file: str, expected_indicator: str) -> list[Series]:
    header = sheet.rows[0]
    series: list[Series] = []
    seen: dict[str, int] = {}
    for c in range(1, len(header)):
        name = header[c]
        if name is None:
            _refuse_values_without_name(sheet, c, file)
            continue
        one = _series_in_column(str(name), c, sheet, path, file, expected_indicator)
        key = f"{one.province_label}|{one.industry_label}"
        if key in seen:
            raise SourceFileError(
                file,
                f"repeats a series (also in column {column_letter(seen[key])})",
                sheet=sheet.name,
                row=0,
                col=c,
                expected="each series once",
                found=str(name),
            )
        seen[key] = c
        series.append(one)
    if not series:
        raise SourceFileError(
            file,
            "has no series columns",
            sheet=sheet.name,
            row=0,
            expected="series names after 指标名称",
        )
    return series


def _refuse_values_without_name(sheet: Sheet, c: int, file: str) -> None:
    # A trailing empty header column is harmless only if no data sits under it.
    if any(c < len(row) and row[c] is not None for row in sheet.rows[1:]):
        raise SourceFileError(
            file,
            "has values under a column with no series name",
            sheet=sheet.name,
            row=0,
            col=c,
            expected="a series name in the header row",
        )


def _series_in_column(name: str, c: int, sheet: Sheet, path: Path, file: str, expected_indicator: str) -> Series:
    """The series a header cell names; its province must be the file's, and it must name an industry."""
    province, indicator, industry = _series_name_parts(name, c, sheet, path, file, expected_indicator)
    if indicator is not None and not same_province(province, path.stem):
        raise SourceFileError(
            file,
            "names a province in its series that is not the province in its file name",
            sheet=sheet.name,
            row=0,
            col=c,
            expected=f"series of {path.stem} (the file name), or a file named after the series' province",
            found=name,
        )
    industry_label = _clean(industry)
    if not industry_label:
        raise SourceFileError(
            file,
            "has a series without an industry",
            sheet=sheet.name,
            row=0,
            col=c,
            expected="'省:指标:行业'",
            found=name,
        )
    return Series(c, name, _clean(province), _clean(indicator), industry_label)


def _series_name_parts(
    name: str, c: int, sheet: Sheet, path: Path, file: str, expected_indicator: str
) -> tuple[str, str | None, str]:
    """(province, indicator, industry) as a series name prints them; the indicator is None for a
    bare industry name."""
    parts = [p.strip() for p in SERIES_SEPARATOR.split(name)]
    if len(parts) >= 3:
        # 省:指标:行业, or with the parent aggregate in between (省:指标:制造业:纺织业).
        province, indicator, industry = parts[0], parts[1], parts[-1]
        if _clean(indicator) != expected_indicator:
            raise SourceFileError(
                file,
                "names a different indicator than its catalogue family" + _encoding_hint(name),
                sheet=sheet.name,
                row=0,
                col=c,
                expected=f"series of {expected_indicator!r}",
                found=name,
            )
        return province, indicator, industry
    if len(parts) == 1:
        # Bare industry names (as in the Beijing export): province from the file name.
        return path.stem, None, parts[0]
    raise SourceFileError(
        file,
        "has a series name of unknown form",
        sheet=sheet.name,
        row=0,
        col=c,
        expected="'省:指标:行业' (optionally '省:指标:上级:行业') or a bare industry name",
        found=name,
    )


PROVINCE_SUFFIXES = ("壮族自治区", "回族自治区", "维吾尔自治区", "自治区", "特别行政区", "省", "市")


def same_province(a: str, b: str) -> bool:
    """Two spellings of one province: 江苏 and 江苏省, 广西 and 广西壮族自治区."""

    def core(name: str) -> str:
        name = _clean(name) or ""
        for suffix in PROVINCE_SUFFIXES:
            if name.endswith(suffix) and len(name) > len(suffix) + 1:
                return name[: -len(suffix)]
        return name

    return core(a) == core(b)


def _encoding_hint(text: str) -> str:
    """Name the usual cause when Chinese text arrives garbled. UTF-8 bytes decoded as GBK turn
    into rare characters whose GBK bytes decode as UTF-8 again; GBK bytes decoded as UTF-8 leave
    replacement characters (U+FFFD)."""
    recovered = text.replace("\ufffd", "").encode("gbk", errors="ignore").decode("utf-8", errors="ignore")
    if sum("\u4e00" <= ch <= "\u9fff" for ch in recovered) >= 2 and recovered not in text:
        return f" (the text is garbled: UTF-8 text read as GBK? it would read {recovered!r})"
    if "\ufffd" in text:
        return " (the text is garbled: GBK-encoded text read as UTF-8?)"
    return ""


def _check_units(
    sheet: Sheet, file: str, r: int, row: list, series: list[Series], catalogue_unit: str
) -> dict[int, str]:
    units = {}
    for s in series:
        stated = _clean(row[s.col]) if s.col < len(row) else None
        if stated is None:
            continue
        if stated != catalogue_unit:
            raise SourceFileError(
                file,
                "states a unit that contradicts the source catalogue",
                sheet=sheet.name,
                row=r,
                col=s.col,
                expected=f"{catalogue_unit!r} (the catalogue's unit for this family)",
                found=stated,
            )
        units[s.col] = stated
    return units


def _year_of(key: object, file: str, sheet: str, r: int) -> int:
    expected = "a Dec-31 date or an integer year in the first column"
    if is_date(key):
        assert isinstance(key, datetime)
        if (key.month, key.day) != (12, 31):
            raise SourceFileError(
                file,
                "has a period that is not a year-end date (not annual data?)",
                sheet=sheet,
                row=r,
                col=0,
                expected=expected,
                found=key.date().isoformat(),
            )
        return key.year
    if isinstance(key, str):
        text = key.strip()
        match = re.fullmatch(r"(\d{4})(?:-12-31|年)?", text)
        if match:
            return _plausible_year(int(match.group(1)), file, sheet, r, expected, key)
    elif isinstance(key, (int, float)) and not isinstance(key, bool) and float(key).is_integer():
        return _plausible_year(int(key), file, sheet, r, expected, key)
    raise SourceFileError(file, "has a row that is not a year", sheet=sheet, row=r, col=0, expected=expected, found=key)


def _plausible_year(year: int, file: str, sheet: str, r: int, expected: str, found: object) -> int:
    if 1949 <= year <= 2100:
        return year
    raise SourceFileError(file, "has an implausible year", sheet=sheet, row=r, col=0, expected=expected, found=found)


def _value_of(raw: object, file: str, sheet: str, r: int, c: int) -> tuple[str | None, float | None, str]:
    if raw is None:
        return None, None, FLAG_MISSING
    if isinstance(raw, bool) or is_date(raw):
        raise SourceFileError(
            file, "has a non-numeric value", sheet=sheet, row=r, col=c, expected="a number, '***' or blank", found=raw
        )
    text = str(raw).strip()
    if text == SUPPRESSED:
        return text, None, FLAG_SUPPRESSED
    try:
        value = number_from(raw)
        if isinstance(raw, (int, float)):
            text = str(int(value)) if value.is_integer() else repr(value)
        return text, value, FLAG_REPORTED
    except ValueError:
        raise SourceFileError(
            file,
            "has a value that is not a number",
            sheet=sheet,
            row=r,
            col=c,
            expected="a number, '***' (suppressed) or blank (missing)",
            found=raw,
        ) from None
