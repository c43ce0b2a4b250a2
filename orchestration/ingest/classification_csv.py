"""Parser for the GB/T 4754 4-digit concordance (``GB171102_concordance_4digit_2017_2011_2002.csv``):
``GB2011,GB2017,Des2017,Des2011,GB2002,Des2002``, one row per link between classes of the three
vintages, many-to-many.

A reference table, not statistics, so its raw shape is its own: one row per link, with the
file, the row and the file hash, so the 2002 -> 2011 crosswalk the dbt models derive from it
(int_industry_crosswalk_2002_2011) can be traced to the concordance rows behind each weight.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from ..core.errors import SourceFileError
from .wide_panel_csv import read_text

SHEET = "(csv)"
CONCORDANCE_HEADER = ["GB2011", "GB2017", "Des2017", "Des2011", "GB2002", "Des2002"]


def parse_concordance_csv(path: Path, *, display_name: str, **_: object) -> list[dict]:
    text, _encoding = read_text(path, display_name)
    rows = list(csv.reader(io.StringIO(text)))
    comments = 0
    while comments < len(rows) and rows[comments] and rows[comments][0].lstrip().startswith("#"):
        comments += 1
    header = [h.strip() for h in rows[comments]] if len(rows) > comments else []
    if header != CONCORDANCE_HEADER:
        raise SourceFileError(
            display_name,
            "is not the GB/T 4754 4-digit concordance",
            sheet=SHEET,
            row=comments,
            col=0,
            expected=f"header {','.join(CONCORDANCE_HEADER)}",
            found=",".join(header),
        )
    return _concordance(rows, display_name, comments)


COLUMNS = ["class_2011", "class_2017", "class_2002", "name_2011", "name_2017", "name_2002", "source_row"]


def _concordance(rows: list[list[str]], file: str, header_row: int) -> list[dict]:
    out = []
    for r, row in enumerate(rows[header_row + 1 :], start=header_row + 1):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(CONCORDANCE_HEADER):
            raise SourceFileError(
                file,
                f"has {len(row)} cells in a row of a {len(CONCORDANCE_HEADER)}-column table",
                sheet=SHEET,
                row=r,
                col=0,
                expected=f"{len(CONCORDANCE_HEADER)} cells",
            )
        cells = dict(zip(CONCORDANCE_HEADER, (cell.strip() for cell in row)))
        for column, c in (("GB2011", 0), ("GB2002", 4)):
            if cells[column] and not re.fullmatch(r"\d{4}", cells[column]):
                raise SourceFileError(
                    file,
                    f"has a {column} code that is not 4 digits",
                    sheet=SHEET,
                    row=r,
                    col=c,
                    expected="a 4-digit class code or blank",
                    found=cells[column],
                )
        out.append(
            {
                "class_2011": cells["GB2011"] or None,
                "class_2017": cells["GB2017"] or None,
                "class_2002": cells["GB2002"] or None,
                "name_2011": cells["Des2011"] or None,
                "name_2017": cells["Des2017"] or None,
                "name_2002": cells["Des2002"] or None,
                "source_row": r + 1,
            }
        )
    return out
