"""Shapes every parser shares: how a printed cell becomes a number, and a label a key.

One definition, so a text like ``nan``, ``inf`` or ``1_000`` (which Python's float() accepts and no
yearbook prints) is rejected by every parser alike, with the cell named by the caller; and one
definition of the whitespace labels are compared without, shared with dbt's ``normalise_label``.
"""

from __future__ import annotations

import math
import re
from functools import cache
from pathlib import Path
from typing import Any, Protocol

import yaml

from ..settings import DBT_PROJECT_DIR

# The row every statistical parser returns, one per printed cell (the ingest contract): load.py adds
# the family, indicator, file, SHA-256, load time and raw_value_id. The staging models read these.
COLUMNS = [
    "province_label",
    "indicator_label",
    "industry_label",
    "series_name",
    "year",
    "value_text",
    "value",
    "value_flag",
    "unit",
    "source_sheet",
    "source_row",
    "source_column",
    "source_cell",
]

# value_flag of a cell as read: a number, a suppression mark ('***'), a blank, or a number the
# catalogue declares the compiler derived (not copied from an official table).
FLAG_REPORTED = "reported"
FLAG_SUPPRESSED = "suppressed"
FLAG_MISSING = "missing"
FLAG_DERIVED = "derived"


class Parser(Protocol):
    """What every parser of a statistical layout implements (load.PARSERS maps layouts to them):
    read one file, return one row per cell in COLUMNS order (plus the layout's EXTRA_COLUMNS), and
    raise SourceFileError naming file, sheet, row, column and what was expected on bad input."""

    def __call__(
        self, path: Path, *, display_name: str, expected_indicator_label: str, catalogue_unit: str, **options: Any
    ) -> list[tuple]: ...


# Digits with optional thousands separators, decimals and exponent; a leading sign.
NUMBER_TEXT = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?(?:[eE][+-]?\d+)?|[+-]?\.\d+")


def number_from(raw: object) -> float:
    """A printed number as a float. Raises ValueError for anything else, including NaN and
    infinity, whether they arrive as text or as a float from a workbook."""
    if isinstance(raw, bool):
        raise ValueError(f"{raw!r} is a truth value, not a number")
    if isinstance(raw, (int, float)):
        value = float(raw)
    else:
        text = str(raw).strip()
        if not NUMBER_TEXT.fullmatch(text):
            raise ValueError(f"{raw!r} is not a number")
        value = float(text.replace(",", ""))
    if not math.isfinite(value):
        raise ValueError(f"{raw!r} is not a finite number")
    return value


@cache
def _label_whitespace() -> re.Pattern[str]:
    """The var label_whitespace of dbt_project.yml as a character class."""
    variables = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))["vars"]
    parts = []
    for item in variables["label_whitespace"]:
        bounds = [chr(int(bound, 16)) for bound in item.split("-")]
        parts.append("-".join(re.escape(bound) for bound in bounds))
    return re.compile(f"[{''.join(parts)}]")


def normalise_label(text: object) -> str:
    """A printed label without any whitespace (the inner spaces yearbooks pad names with
    included): the key labels are matched on, in Python as in dbt. Blank for None."""
    return _label_whitespace().sub("", str(text)) if text is not None else ""


def is_number(raw: object) -> bool:
    try:
        number_from(raw)
    except ValueError:
        return False
    return True
