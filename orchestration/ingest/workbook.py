"""Read .xls and .xlsx sheets into one plain grid, so parsers never care which format a file is.

A cell becomes a Python value: ``None`` for blank, ``str``, ``float``/``int`` for numbers, and
``datetime`` for cells Excel stores as dates (xlrd reports those as floats plus a type flag; we
convert them here so a date can never be mistaken for a revenue figure).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from .errors import SourceFileError


@dataclass(frozen=True)
class Sheet:
    name: str
    rows: list[list[object]]


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


PASSWORD_PROTECTED = "is password-protected (encrypted)"
UNPROTECT = "an unencrypted workbook: open it and save a copy without a password"


def read_sheets(path: Path, display_name: str) -> list[Sheet]:
    suffix = path.suffix.lower()
    if path.stat().st_size == 0:
        raise SourceFileError(display_name, "is empty (0 bytes)", expected="an .xls or .xlsx export")
    if _is_encrypted_ooxml(path):
        raise SourceFileError(display_name, PASSWORD_PROTECTED, expected=UNPROTECT)
    try:
        if suffix == ".xls":
            return _read_xls(path)
        if suffix in (".xlsx", ".xlsm"):
            return _read_xlsx(path)
    except SourceFileError:
        raise
    except Exception as exc:  # the reader libraries raise many unrelated types
        if "encrypted" in str(exc).lower():  # xlrd's word for an .xls with a FILEPASS record
            raise SourceFileError(display_name, PASSWORD_PROTECTED, expected=UNPROTECT) from exc
        raise SourceFileError(
            display_name,
            f"cannot be opened as an Excel workbook ({type(exc).__name__}: {exc})",
            expected="an unencrypted .xls or .xlsx export",
        ) from exc
    raise SourceFileError(display_name, "has an unsupported extension", expected=".xls or .xlsx")


def _is_encrypted_ooxml(path: Path) -> bool:
    """An encrypted .xlsx is an OLE2 container holding an EncryptedPackage stream instead of a
    zip; no reader would say why it fails, so it is recognised here. (Encrypted .xls are
    reported by xlrd itself when it opens them.)"""
    with open(path, "rb") as handle:
        if handle.read(8) != b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":  # not an OLE2 compound file
            return False
        return "EncryptedPackage".encode("utf-16-le") in handle.read()


def _read_xls(path: Path) -> list[Sheet]:
    import xlrd

    book = xlrd.open_workbook(str(path))
    sheets = []
    for sheet in book.sheets():
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


def _read_xlsx(path: Path) -> list[Sheet]:
    import openpyxl

    book = openpyxl.load_workbook(str(path), read_only=True, data_only=True)
    try:
        sheets = []
        for sheet in book.worksheets:
            rows = []
            for values in sheet.iter_rows(values_only=True):
                rows.append(
                    [None if (isinstance(v, str) and not v.strip()) else v for v in values]
                )
            sheets.append(Sheet(sheet.title, rows))
        return sheets
    finally:
        book.close()


def is_date(value: object) -> bool:
    return isinstance(value, datetime)
