"""Read .xls, .xlsx and HTML-table "Excel" files into one plain grid, so parsers never care which
format a file is. Files encrypted with Excel's default read-only password are opened transparently.

A cell becomes a Python value: ``None`` for blank, ``str``, ``float``/``int`` for numbers, and
``datetime`` for cells Excel stores as dates (xlrd reports those as floats plus a type flag; we
convert them here so a date can never be mistaken for a revenue figure).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ..core.errors import SourceFileError
from ..settings import workbook_bounds
from .html_table import looks_like_html, read_html_grid


@dataclass(frozen=True)
class Sheet:
    name: str
    rows: list[list[object]]


OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
# Excel encrypts "read-only recommended" workbooks with this fixed, publicly documented password;
# yearbook downloads often come that way. Opening them needs no secret, so it is done silently.
EXCEL_DEFAULT_PASSWORD = "VelvetSweatshop"
PASSWORD_PROTECTED = "is password-protected with a password other than Excel's default read-only one"
UNPROTECT = "an unprotected workbook: open it with its password and save a copy without one"

# What a file turned out to be, by content (the extension is only a hint: web portals save HTML
# tables as .xls). Parsers record it, so a copy's provenance is visible in the warehouse.
KIND_XLS = "xls"
KIND_XLSX = "xlsx"
KIND_HTML = "html"


@dataclass(frozen=True)
class Workbook:
    sheets: list[Sheet]
    kind: str  # xls, xlsx or html
    was_encrypted: bool


def read_sheets(path: Path, display_name: str) -> list[Sheet]:
    return read_workbook(path, display_name).sheets


def read_workbook(path: Path, display_name: str) -> Workbook:
    """Open an .xls, .xlsx or HTML-table "Excel" file by what its bytes are, not by its name."""
    data = path.read_bytes()
    if not data:
        raise SourceFileError(display_name, "is empty (0 bytes)", expected="an .xls or .xlsx export")
    try:
        if data.startswith(OLE2_MAGIC):
            data, encrypted = _decrypt_if_needed(data, display_name)
            if data.startswith(ZIP_MAGIC):  # an encrypted .xlsx wraps a zip in an OLE2 container
                return Workbook(_read_xlsx(data, display_name), KIND_XLSX, encrypted)
            return Workbook(_read_xls(data, display_name), KIND_XLS, encrypted)
        if data.startswith(ZIP_MAGIC):
            return Workbook(_read_xlsx(data, display_name), KIND_XLSX, False)
        if looks_like_html(data[:4096]):
            return Workbook([Sheet("(html)", read_html_grid(data))], KIND_HTML, False)
    except SourceFileError:
        raise
    except Exception as exc:  # the reader libraries raise many unrelated types
        raise SourceFileError(
            display_name,
            f"cannot be opened as an Excel workbook ({type(exc).__name__}: {exc})",
            expected="an intact .xls or .xlsx export",
        ) from exc
    raise SourceFileError(
        display_name,
        "is neither an Excel workbook nor an HTML table",
        expected="an .xls (OLE2), .xlsx (zip) or HTML-table export",
        found=data[:16],
    )


def _decrypt_if_needed(data: bytes, display_name: str) -> tuple[bytes, bool]:
    import msoffcrypto

    office = msoffcrypto.OfficeFile(io.BytesIO(data))
    if not office.is_encrypted():
        return data, False
    try:
        office.load_key(password=EXCEL_DEFAULT_PASSWORD)
        plain = io.BytesIO()
        office.decrypt(plain)
    except Exception as exc:  # msoffcrypto reports a wrong password in several ways
        raise SourceFileError(display_name, PASSWORD_PROTECTED, expected=UNPROTECT) from exc
    return plain.getvalue(), True


def _read_xls(data: bytes, display_name: str = "(workbook)") -> list[Sheet]:
    import xlrd

    book = xlrd.open_workbook(file_contents=data)
    max_cells = workbook_bounds().max_sheet_cells
    sheets = []
    for sheet in book.sheets():
        if sheet.nrows * sheet.ncols > max_cells:
            raise _too_many_cells(display_name, sheet.name, f"{sheet.nrows:,} x {sheet.ncols:,}", max_cells)
        rows = []
        for r in range(sheet.nrows):
            row = []
            for c in range(sheet.ncols):
                cell = sheet.cell(r, c)
                if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                    row.append(None)
                elif cell.ctype == xlrd.XL_CELL_DATE:
                    row.append(xlrd.xldate_as_datetime(cell.value, book.datemode))
                elif cell.ctype == xlrd.XL_CELL_TEXT:
                    row.append(cell.value if cell.value.strip() else None)
                elif cell.ctype == xlrd.XL_CELL_ERROR:
                    row.append(f"#ERROR:{xlrd.error_text_from_code.get(cell.value, cell.value)}")
                else:
                    row.append(cell.value)
            rows.append(row)
        sheets.append(Sheet(sheet.name, rows))
    return sheets


# Bounds checked before an .xlsx is parsed: its parts decompressed (MAX_WORKBOOK_MIB), and one
# sheet's cells (MAX_SHEET_CELLS); see settings.workbook_bounds. The largest real export (an IO
# table) is far below both. Ordinary workbooks compress their XML 5 to 20 times; a zip bomb
# compresses hundreds of times, and only then is it called one.
ZIP_BOMB_RATIO = 100
CELL = re.compile(rb'<c r="([A-Z]+[0-9]+)"[^>]*?(?:/>|>(.*?)</c>)', re.S)


def _check_xlsx_size(data: bytes, display_name: str) -> None:
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        total = sum(info.file_size for info in archive.infolist())
    bound = workbook_bounds().max_mib
    if total > bound * 2**20:
        ratio = total / max(len(data), 1)
        what = (
            f" (a zip bomb: its parts compress {ratio:,.0f} to 1, which no workbook does)"
            if ratio > ZIP_BOMB_RATIO
            else ""
        )
        raise SourceFileError(
            display_name,
            f"would decompress to {total / 2**20:,.0f} MiB from {len(data) / 2**20:,.1f} MiB, more than the "
            f"bound of {bound:,} MiB of workbook parts{what}",
            expected=f"at most {bound:,} MiB; if the file is a genuine export, raise the bound with "
            f"MAX_WORKBOOK_MIB (make run MAX_WORKBOOK_MIB={_raised(total / 2**20)})",
        )


def _too_many_cells(display_name: str, sheet: str, size: str, bound: int, row: int | None = None) -> SourceFileError:
    return SourceFileError(
        display_name,
        f"has a sheet of {size} cells, more than the bound of {bound:,} cells per sheet",
        sheet=sheet,
        row=row,
        expected=f"at most {bound:,} cells; if the file is a genuine export, raise the bound with "
        "MAX_SHEET_CELLS (make run MAX_SHEET_CELLS=...)",
    )


def _raised(needed: float) -> int:
    """A round bound above what a file needs, for the message that says how to raise it."""
    step = 10 if needed < 100 else 100
    return int(needed // step + 1) * step


def _formulas_without_values(book, sheet) -> list[str]:
    """Cells holding a formula whose result was never stored (a file saved by a program that does
    not calculate): read with cached values only, they would look blank, i.e. missing."""
    xml = book._archive.read(sheet._worksheet_path)
    if b"<f" not in xml:
        return []
    return [
        m.group(1).decode()
        for m in CELL.finditer(xml)
        if m.group(2) and b"<f" in m.group(2) and not re.search(rb"<v>[^<]", m.group(2))
    ]


def _read_xlsx(data: bytes, display_name: str = "(workbook)") -> list[Sheet]:
    import openpyxl

    _check_xlsx_size(data, display_name)
    max_cells = workbook_bounds().max_sheet_cells
    # Read-only mode tolerates parts a workbook names but lacks (a missing drawing in some
    # yearbook files makes the normal mode fail).
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        sheets = []
        for sheet in book.worksheets:
            uncalculated = _formulas_without_values(book, sheet)
            if uncalculated:
                raise SourceFileError(
                    display_name,
                    f"has formulas without a stored result in cells {', '.join(uncalculated[:10])}"
                    + (f" and {len(uncalculated) - 10} more" if len(uncalculated) > 10 else ""),
                    sheet=sheet.title,
                    expected="values (open the file in Excel or LibreOffice and save it, so the "
                    "results are stored, or paste the values)",
                )
            # Read-only mode trusts the sheet's stored <dimension>, which some writers get wrong
            # (one yearbook file claims A1:A1 and would silently yield one row); measure instead.
            sheet.reset_dimensions()
            rows = []
            for values in sheet.iter_rows(values_only=True):
                rows.append([None if (isinstance(v, str) and not v.strip()) else v for v in values])
                if len(rows) * max(len(values), 1) > max_cells:
                    size = f"at least {len(rows):,} x {max(len(values), 1):,}"
                    raise _too_many_cells(display_name, sheet.title, size, max_cells, row=len(rows) - 1)
            sheets.append(Sheet(sheet.title, rows))
        return sheets
    finally:
        book.close()


def is_date(value: object) -> bool:
    return isinstance(value, datetime)
