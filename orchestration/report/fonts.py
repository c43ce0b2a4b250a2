"""The Chinese of the HTML report, readable on a machine without any CJK font.

The charts draw their text as paths (charts.py). The page's own text (headings, tables, notes) gets
a subset of Noto Sans CJK SC, holding only the characters the page uses, embedded as a base64 WOFF
@font-face: a few hundred kB, no request at view time. Without a CJK font here the page falls back to
the reader's fonts (and the build logs it).
"""

from __future__ import annotations

import base64
import io
import logging
from functools import cache
from pathlib import Path

log = logging.getLogger(__name__)
FAMILY = "ReportCJK"
CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
)


def _is_cjk(ch: str) -> bool:
    code = ord(ch)
    return 0x2E80 <= code <= 0x9FFF or 0xF900 <= code <= 0xFAFF or 0xFF00 <= code <= 0xFFEF or 0x3000 <= code <= 0x303F


@cache
def _font_file() -> tuple[str, int] | None:
    """The Simplified Chinese face of Noto Sans CJK: (path, number in the collection)."""
    from fontTools.ttLib import TTCollection

    for candidate in CANDIDATES:
        if Path(candidate).exists():
            collection = TTCollection(candidate, lazy=True)
            for number, font in enumerate(collection.fonts):
                if "CJK SC" in str(font["name"].getDebugName(1)):
                    return candidate, number
    return None


def font_face_css(text: str) -> str:
    """@font-face of a subset holding the CJK characters of text, or "" without a CJK font here."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    chars = sorted({ch for ch in text if _is_cjk(ch)})
    found = _font_file()
    if not chars or found is None:
        if chars:
            log.warning(
                "no Noto Sans CJK here (apt-get install fonts-noto-cjk): the report's Chinese needs the reader's fonts"
            )
        return ""
    path, number = found
    font = TTFont(path, fontNumber=number, lazy=False)
    options = subset.Options()
    options.flavor = "woff"  # zlib: no brotli needed
    options.layout_features = []
    options.name_IDs = [1, 2]
    options.hinting = False
    subsetter = subset.Subsetter(options)
    subsetter.populate(text="".join(chars))
    subsetter.subset(font)
    buffer = io.BytesIO()
    font.flavor = "woff"
    font.save(buffer)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return (
        f'@font-face{{font-family:"{FAMILY}";src:url(data:font/woff;base64,{data}) format("woff");font-display:block}}'
    )
