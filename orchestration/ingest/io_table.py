"""Parser for provincial input-output tables (42 sectors), one workbook per province and year:

    江苏2007年投入产出表                                   <- title (the national table: 基本流量表)
    (按当年生产者价格计算)  单位：万元                       <- price basis, unit (optional)
    |      | 代码 | 中间使用 ...                            <- header rows: sector names per column
    | 代码 |  -   | 01 | 02 | ... | 42 | TIU | FU101 ...     <- the code row (codes may be 1.0 or '01')
    |      | 农林牧渔业 | 01 | 3785293.13 | ...             <- intermediate-use block
    增加值 | 劳动者报酬 | VA001 | ...
           | 增加值合计 | TVA | ...                           <- value added by sector
    总投入 |            | TI  | ...                           <- total input = total output by sector

Rows are found by their code in the code column (TVA, TI), sector columns by the code row, so
each table's own title rows, merged headers and sector names do not matter; the sector name is
the header text closest above the code row.

Right of the 42 sector columns sits the demand and trade block (TIU, FU101 … TFU, IM, ERR, GO),
read for the 42 sector rows (coded 01…42 in the code column). Each column is recognised by its
code *and* its header text (the closest header above the code row) through the catalogue's
registry (``demand_columns`` in sources.yml): a code the registry does not know, or a header that
does not belong to its code (a shifted header block), is refused with the cell, as are values in
a column with no header at all. The editions print different blocks (2012/2017 provinces split
国内省外流出/流入 from 出口/进口; 2007 provinces print 流出/流入 with exports and imports inside;
2002 provinces print only 净流出; the national tables only 出口/进口); each column keeps the
concept it holds, so nothing pretends to be the split measure. Year and region come from the title, else from the
folder (``2012年各省份投入产出表``) and the file name (``10江苏.xls``, ``01-北京.xls``); where both
exist they must agree.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from ..core.errors import SourceFileError, column_letter
from .cells import FLAG_MISSING, FLAG_REPORTED, normalise_label, number_from
from .workbook import Sheet, read_workbook

EXTRA_COLUMNS = ["indicator", "io_code", "io_edition", "unit_basis"]
ROW_CODES = {"TI": "io_total_output", "TVA": "io_value_added"}
N_SECTORS = 42
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_FILE_REGION = re.compile(r"^\d+\s*-?\s*(.+?)$")


def _code(value: object) -> str | None:
    """A sector code as the table prints it: 1, 1.0, '01' -> '01'."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and float(value).is_integer():
        return f"{int(value):02d}"
    text = normalise_label(value)
    if re.fullmatch(r"\d{1,2}(\.0)?", text):
        return f"{int(float(text)):02d}"
    return None


def parse_io_table(
    path: Path,
    *,
    display_name: str,
    expected_indicator_label: str,
    catalogue_unit: str,
    demand_columns: tuple[dict, ...] = (),
    ignored_columns: tuple[dict, ...] = (),
) -> list[dict]:
    workbook = read_workbook(path, display_name)
    sheet, code_col = _flow_table(workbook.sheets, display_name)
    year = _year(sheet, path, display_name)
    region = _region(sheet, path, display_name)
    code_row, sectors = _sector_columns(sheet, code_col, display_name)
    unit, unit_basis = _unit(sheet, code_row, catalogue_unit, display_name)
    out: list[dict] = []
    for r, row, row_code, indicator, label in _total_rows(sheet, code_col, code_row):
        for c, (io_code, sector) in sectors.items():
            raw = row[c] if c < len(row) else None
            value, flag = _number(raw, display_name, sheet.name, r, c)
            out.append(
                {
                    "province_label": region,
                    "indicator_label": label,
                    "industry_label": sector,
                    "series_name": f"{row_code} × {io_code} {sector}",
                    "year": year,
                    "value_text": None if raw is None else str(raw).strip(),
                    "value": value,
                    "value_flag": flag,
                    "unit": unit,
                    "source_sheet": sheet.name,
                    "source_row": r + 1,
                    "source_column": column_letter(c),
                    "source_cell": f"{column_letter(c)}{r + 1}",
                    "indicator": indicator,
                    "io_code": io_code,
                    "io_edition": year,
                    "unit_basis": unit_basis,
                }
            )
    for row in _demand_block(sheet, code_col, code_row, sectors, demand_columns, ignored_columns, display_name):
        where = {"province_label": region, "year": year, "unit": unit, "io_edition": year, "unit_basis": unit_basis}
        out.append({**row, **where})
    _require_one_ti_and_tva_row(out, sheet, code_col, display_name)
    return out


def _total_rows(sheet: Sheet, code_col: int, code_row: int) -> Iterator[tuple[int, list, str, str, str]]:
    """The rows coded TI and TVA below the code row: position, cells, code, indicator and label
    (the text left of the code, else the code)."""
    for r in range(code_row + 1, len(sheet.rows)):
        row = sheet.rows[r]
        row_code = normalise_label(row[code_col]) if code_col < len(row) else ""
        indicator = ROW_CODES.get(row_code)
        if indicator is None:
            continue
        label = next((normalise_label(v) for v in row[:code_col] if normalise_label(v)), row_code)
        yield r, row, row_code, indicator, label


def _require_one_ti_and_tva_row(out: list[dict], sheet: Sheet, code_col: int, file: str) -> None:
    found = {row["indicator"] for row in out}
    for code, indicator in ROW_CODES.items():
        if indicator not in found:
            raise SourceFileError(
                file,
                f"has no {code} row",
                sheet=sheet.name,
                col=code_col,
                expected=f"a row coded {code} in column {column_letter(code_col)}",
            )
    if sum(row["indicator"] in ROW_CODES.values() for row in out) != len(ROW_CODES) * N_SECTORS:
        raise SourceFileError(
            file,
            "repeats a TI or TVA row",
            sheet=sheet.name,
            col=code_col,
            expected="one total-input and one value-added row",
        )


def _header_text(sheet: Sheet, code_row: int, c: int) -> tuple[int | None, str]:
    """The header closest above the code row in column c, and its row."""
    for h in range(code_row - 1, -1, -1):
        text = normalise_label(sheet.rows[h][c]) if c < len(sheet.rows[h]) else ""
        if text:
            return h, text
    return None, ""


def _demand_block(
    sheet: Sheet,
    code_col: int,
    code_row: int,
    sectors: dict[int, tuple[str, str]],
    registry: tuple[dict, ...],
    ignored: tuple[dict, ...],
    file: str,
) -> list[dict]:
    """The demand and trade cells of the 42 sector rows (without region, year and unit)."""
    if not registry:
        return []
    sector_rows = _all_sector_rows(sheet, code_col, code_row, file)
    if not sector_rows:
        return []  # a table printing only the TVA and TI rows (no flow block) has no demand block
    names = dict(sectors.values())
    out: list[dict] = []
    columns = _demand_columns(sheet, code_row, max(sectors) + 1, sector_rows, registry, ignored, file)
    for c, spec, code, header in columns:
        for r, io_code in sector_rows.items():
            raw = sheet.rows[r][c] if c < len(sheet.rows[r]) else None
            value, flag = _number(raw, file, sheet.name, r, c)
            out.append(
                {
                    "indicator_label": header,
                    "industry_label": names[io_code],
                    "series_name": f"{io_code} × {code} {header}",
                    "value_text": None if raw is None else str(raw).strip(),
                    "value": value,
                    "value_flag": flag,
                    "source_sheet": sheet.name,
                    "source_row": r + 1,
                    "source_column": column_letter(c),
                    "source_cell": f"{column_letter(c)}{r + 1}",
                    "indicator": spec["indicator"],
                    "io_code": io_code,
                }
            )
    return out


def _all_sector_rows(sheet: Sheet, code_col: int, code_row: int, file: str) -> dict[int, str]:
    """The sector rows (see _sector_rows): none, or one for each of the 42 sectors."""
    sector_rows = _sector_rows(sheet, code_col, code_row)
    if sector_rows and len(sector_rows) != N_SECTORS:
        missing = sorted({f"{i:02d}" for i in range(1, N_SECTORS + 1)} - set(sector_rows.values()))
        raise SourceFileError(
            file,
            f"has sector rows but not for sectors {', '.join(missing)}",
            sheet=sheet.name,
            col=code_col,
            expected=f"one row for each of the {N_SECTORS} sectors, coded 01…{N_SECTORS} in column "
            f"{column_letter(code_col)}",
        )
    return sector_rows


def _demand_columns(
    sheet: Sheet,
    code_row: int,
    first_col: int,
    sector_rows: dict[int, str],
    registry: tuple[dict, ...],
    ignored: tuple[dict, ...],
    file: str,
) -> Iterator[tuple[int, dict, str, str]]:
    """The recognised demand columns from first_col on (see _demand_column): column, registry entry,
    code and header; a second column for one indicator is refused."""
    seen: dict[str, str] = {}
    for c in range(first_col, max(len(row) for row in sheet.rows)):
        recognised = _demand_column(sheet, code_row, c, sector_rows, registry, ignored, file)
        if recognised is None:
            continue
        spec, code, header = recognised
        if spec["indicator"] in seen:
            raise SourceFileError(
                file,
                f"has two columns for {spec['indicator']}",
                sheet=sheet.name,
                row=code_row,
                col=c,
                expected=f"one column (the first is column {seen[spec['indicator']]})",
            )
        seen[spec["indicator"]] = column_letter(c)
        yield c, spec, code, header


def _demand_column(
    sheet: Sheet,
    code_row: int,
    c: int,
    sector_rows: dict[int, str],
    registry: tuple[dict, ...],
    ignored: tuple[dict, ...],
    file: str,
) -> tuple[dict, str, str] | None:
    """Column c's registry entry, code and header; None for an empty or ignored column. A code the
    registry does not know, a header that is not its code's, or values under no header are refused."""
    code = normalise_label(sheet.rows[code_row][c]) if c < len(sheet.rows[code_row]) else ""
    header_row, header = _header_text(sheet, code_row, c)
    if any(code in spec["codes"] and header in spec["headers_zh"] for spec in ignored):
        return None
    if not code and not header:
        for r in sector_rows:
            raw = sheet.rows[r][c] if c < len(sheet.rows[r]) else None
            if raw is not None and str(raw).strip():
                raise SourceFileError(
                    file,
                    "has values in a column with no header and no code",
                    sheet=sheet.name,
                    row=r,
                    col=c,
                    expected="every demand column to carry a code in the code row and a header above it",
                    found=raw,
                )
        return None
    spec = next((spec for spec in registry if code in spec["codes"]), None)
    if spec is None:
        raise SourceFileError(
            file,
            f"has a demand column the registry does not know (code {code!r}, header {header!r})",
            sheet=sheet.name,
            row=code_row,
            col=c,
            expected="a code and header listed under demand_columns in orchestration/ingest/sources.yml",
        )
    if header not in spec["headers_zh"]:
        raise SourceFileError(
            file,
            f"has header {header!r} over code {code} (a shifted or mislabelled column block)",
            sheet=sheet.name,
            row=code_row if header_row is None else header_row,
            col=c,
            expected=f"one of {spec['headers_zh']} over code {code}",
        )
    return spec, code, header


def _sector_rows(sheet: Sheet, code_col: int, code_row: int) -> dict[int, str]:
    """The intermediate-use rows: the first row coded 01 … 42 in the code column below the code row."""
    rows: dict[int, str] = {}
    for r in range(code_row + 1, len(sheet.rows)):
        row = sheet.rows[r]
        code = _code(row[code_col]) if code_col < len(row) else None
        if code is not None and 1 <= int(code) <= N_SECTORS and code not in rows.values():
            rows[r] = code
    return rows


def _flow_table(sheets: list[Sheet], file: str) -> tuple[Sheet, int]:
    """The basic flow table: the first sheet with a TI row code (coefficient sheets come later)."""
    for sheet in sheets:
        for row in sheet.rows:
            for c, value in enumerate(row[:6]):
                if normalise_label(value) == "TI":
                    return sheet, c
    raise SourceFileError(file, "has no input-output flow table", expected="a sheet with rows coded TVA and TI")


def _year(sheet: Sheet, path: Path, file: str) -> int:
    titles = [normalise_label(v) for row in sheet.rows[:4] for v in row[:3] if isinstance(v, str)]
    in_title = next((int(m.group(1)) for t in titles for m in [_YEAR.search(t)] if m), None)
    in_folder = next((int(m.group(1)) for part in Path(file).parts[:-1] for m in [_YEAR.search(part)] if m), None)
    if in_title and in_folder and in_title != in_folder:
        raise SourceFileError(
            file,
            f"has a title for {in_title} but sits in the folder for {in_folder}",
            sheet=sheet.name,
            row=0,
            col=0,
            expected="the same year in both",
        )
    year = in_title or in_folder
    if year is None:
        raise SourceFileError(
            file,
            "states no year",
            sheet=sheet.name,
            row=0,
            col=0,
            expected="a title such as '江苏2007年投入产出表' or a folder named '2007年…'",
        )
    return year


def _region(sheet: Sheet, path: Path, file: str) -> str:
    match = _FILE_REGION.match(path.stem.strip())
    from_name = normalise_label(match.group(1)) if match else normalise_label(path.stem)
    title = next(
        (normalise_label(v) for row in sheet.rows[:3] for v in row[:2] if isinstance(v, str) and "投入产出表" in v), ""
    )
    named = re.match(r"(.+?)(?:19|20)\d{2}年", title)
    from_title = named.group(1) if named else ""
    if from_title and from_name and from_title != from_name:
        raise SourceFileError(
            file,
            f"has a title for {from_title} but a file name for {from_name}",
            sheet=sheet.name,
            row=0,
            col=0,
            expected="the same region in both",
        )
    return from_title or from_name


def _sector_columns(sheet: Sheet, code_col: int, file: str) -> tuple[int, dict[int, tuple[str, str]]]:
    for r, row in enumerate(sheet.rows):
        codes = {c: _code(v) for c, v in enumerate(row) if c > code_col}
        sequence = [code for code in codes.values() if code is not None]
        if sequence[:N_SECTORS] == [f"{i:02d}" for i in range(1, N_SECTORS + 1)]:
            sectors = {}
            for c, code in codes.items():
                if code is None or code in {s for s, _ in sectors.values()}:
                    continue
                names = [normalise_label(sheet.rows[h][c]) for h in range(r - 1, -1, -1) if c < len(sheet.rows[h])]
                name = next((n for n in names if n), "")
                if not name:
                    raise SourceFileError(
                        file,
                        f"has no name for sector {code}",
                        sheet=sheet.name,
                        row=r,
                        col=c,
                        expected="a sector name above the code row",
                    )
                sectors[c] = (code, name)
                if len(sectors) == N_SECTORS:
                    break
            return r, sectors
    raise SourceFileError(
        file,
        "has no row of sector codes 01…42",
        sheet=sheet.name,
        col=code_col + 1,
        expected=f"a header row coding the {N_SECTORS} sectors 01 to {N_SECTORS}",
    )


def _unit(sheet: Sheet, code_row: int, catalogue_unit: str, file: str) -> tuple[str, str]:
    for r in range(code_row):
        for c, value in enumerate(sheet.rows[r]):
            text = normalise_label(value)
            if text.startswith("单位"):
                unit = re.split(r"[:：]", text, maxsplit=1)[-1]
                if unit != catalogue_unit:
                    raise SourceFileError(
                        file,
                        f"states unit {unit}",
                        sheet=sheet.name,
                        row=r,
                        col=c,
                        expected=f"unit {catalogue_unit}",
                        found=value,
                    )
                return unit, "unit_line"
    return catalogue_unit, "catalogue"


def _number(raw: object, file: str, sheet: str, r: int, c: int) -> tuple[float | None, str]:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, FLAG_MISSING
    try:
        return number_from(raw), FLAG_REPORTED
    except ValueError:
        raise SourceFileError(
            file, "has a value that is not a number", sheet=sheet, row=r, col=c, expected="a number or blank", found=raw
        ) from None
