"""The Chinese of the HTML report, readable on a machine without any CJK font.

The charts draw their text as paths (charts.py). The page's own text (headings, tables, notes) gets
a subset of Noto Sans CJK SC, holding only the characters the page uses, embedded as a base64 WOFF
@font-face: a few hundred kB, no request at view time. Without a CJK font here the page falls back to
the reader's fonts (and the build logs it).
"""

from __future__ import annotations

import base64
import hashlib
import io
import logging
import os
from functools import cache, lru_cache
from pathlib import Path

log = logging.getLogger(__name__)
FAMILY = "ReportCJK"
FONT_CACHE_DIR = ".font-subsets"  # beside the reports
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


def font_face_css(text: str, cache_dir: Path | None = None) -> str:
    """@font-face of a subset holding the CJK characters of text, or "" without a CJK font here.

    Subsetting reads the whole CJK face (about a second), and a refresh writes reports with the
    same characters as the last: the CSS is kept in cache_dir under a key of the font file and the
    characters, and in this process."""
    chars = "".join(sorted({ch for ch in text if _is_cjk(ch)}))
    found = _font_file()
    if not chars or found is None:
        if chars:
            log.warning(
                "no Noto Sans CJK here (apt-get install fonts-noto-cjk): the report's Chinese needs the reader's fonts"
            )
        return ""
    path, number = found
    stat = Path(path).stat()
    key = hashlib.sha256(f"{path}|{number}|{stat.st_size}|{stat.st_mtime_ns}|{chars}".encode()).hexdigest()[:32]
    cached = cache_dir / f"{key}.css" if cache_dir is not None else None
    if cached is not None and cached.is_file():
        return cached.read_text(encoding="ascii")
    css = _subset_css(path, number, chars)
    if cached is not None:
        cache_dir.mkdir(parents=True, exist_ok=True)
        partial = cached.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(css, encoding="ascii")
        partial.replace(cached)  # whole or absent, also with two refreshes writing at once
    return css


@lru_cache(maxsize=8)
def _subset_css(path: str, number: int, chars: str) -> str:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(path, fontNumber=number, lazy=False)
    options = subset.Options()
    options.flavor = "woff"  # zlib: no brotli needed
    options.layout_features = []
    options.name_IDs = [1, 2]
    options.hinting = False
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=chars)
    subsetter.subset(font)
    buffer = io.BytesIO()
    font.flavor = "woff"
    font.save(buffer)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return (
        f'@font-face{{font-family:"{FAMILY}";src:url(data:font/woff;base64,{data}) format("woff");font-display:block}}'
    )
