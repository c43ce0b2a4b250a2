"""Shapes every parser shares: how a printed cell becomes a number.

One definition, so a text like ``nan``, ``inf`` or ``1_000`` (which Python's float() accepts and no
yearbook prints) is rejected by every parser alike, with the cell named by the caller.
"""

from __future__ import annotations

import math
import re

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


def is_number(raw: object) -> bool:
    try:
        number_from(raw)
    except ValueError:
        return False
    return True
