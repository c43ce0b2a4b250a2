"""Read a web page's tables as one grid: the "export to Excel" of statistics portals is often an
HTML page saved with an .xls name, which Excel opens but no spreadsheet library does.

Text outside tables (the page title above the table, e.g. ``中国2020年各地区…``) becomes a
one-cell row where it appears, so a parser sees the page as a reader does. ``colspan`` and
``rowspan`` are expanded so every cell keeps its column; a spanned position is blank.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

BLOCK_TAGS = {"div", "p", "h1", "h2", "h3", "h4", "h5", "h6", "caption", "title"}
_CHARSET = re.compile(rb"charset\s*=\s*[\"']?([A-Za-z0-9_-]+)", re.IGNORECASE)


def looks_like_html(head: bytes) -> bool:
    """True when a file's first bytes are markup rather than a workbook."""
    text = head.lstrip(b"\xef\xbb\xbf").lstrip().lower()
    return text.startswith((b"<!--", b"<html", b"<!doctype html", b"<table", b"<meta", b"<head")) or (
        text.startswith(b"<") and b"<table" in head.lower()
    )


def decode_html(data: bytes) -> str:
    declared = _CHARSET.search(data[:4096])
    encodings = [declared.group(1).decode("ascii")] if declared else []
    for encoding in [*encodings, "utf-8-sig", "gbk"]:
        try:
            return data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
    return data.decode("utf-8", errors="replace")


class _GridBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[list[object]] = []
        self._table_depth = 0
        self._row: list[object] | None = None
        self._cell: list[str] | None = None
        self._colspan = 1
        self._rowspan = 1
        self._pending_spans: dict[int, int] = {}  # column -> rows still covered by a rowspan
        self._block_text: list[str] = []
        self._skip = 0  # inside <style>/<script>

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("style", "script"):
            self._skip += 1
        elif tag == "table":
            self._flush_block()
            self._table_depth += 1
        elif tag == "tr" and self._table_depth:
            self._row = []
            self._skip_spanned()
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
            self._colspan = _span(attrs.get("colspan"))
            self._rowspan = _span(attrs.get("rowspan"))
        elif tag == "br" and self._cell is not None:
            self._cell.append("\n")
        elif tag in BLOCK_TAGS and not self._table_depth:
            self._flush_block()

    def handle_endtag(self, tag):
        if tag in ("style", "script"):
            self._skip = max(0, self._skip - 1)
        elif tag in ("td", "th") and self._cell is not None and self._row is not None:
            text = "".join(self._cell).strip()
            col = len(self._row)
            self._row.append(text or None)
            if self._rowspan > 1:
                self._pending_spans[col] = self._rowspan - 1
            for extra in range(1, self._colspan):
                self._row.append(None)
                if self._rowspan > 1:
                    self._pending_spans[col + extra] = self._rowspan - 1
            self._cell = None
            self._skip_spanned()
        elif tag == "tr" and self._row is not None:
            self.rows.append(self._row)
            self._row = None
        elif tag == "table" and self._table_depth:
            self._table_depth -= 1
        elif tag in BLOCK_TAGS and not self._table_depth:
            self._flush_block()

    def handle_data(self, data):
        if self._skip:
            return
        if self._cell is not None:
            self._cell.append(data)
        elif not self._table_depth:
            self._block_text.append(data)

    def close(self):
        super().close()
        self._flush_block()

    def _skip_spanned(self) -> None:
        # Positions covered by a rowspan from above are blank in this row.
        while self._row is not None and self._pending_spans.get(len(self._row), 0) > 0:
            col = len(self._row)
            self._pending_spans[col] -= 1
            self._row.append(None)

    def _flush_block(self) -> None:
        text = " ".join("".join(self._block_text).split())
        self._block_text = []
        if text:
            self.rows.append([text])


def _span(value: str | None) -> int:
    try:
        return max(1, int(value or 1))
    except ValueError:
        return 1


def read_html_grid(data: bytes) -> list[list[object]]:
    builder = _GridBuilder()
    builder.feed(decode_html(data))
    builder.close()
    width = max((len(row) for row in builder.rows), default=0)
    return [row + [None] * (width - len(row)) for row in builder.rows]
