"""Turn a family's files into one long raw table with lineage on every value."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from ..core.errors import SourceFileError
from ..core.hashing import file_sha256
from .catalogue import SourceFamily
from .cells import COLUMNS, Parser
from .classification_csv import COLUMNS as CONCORDANCE_COLUMNS
from .classification_csv import parse_concordance_csv
from .io_table import EXTRA_COLUMNS as IO_TABLE_EXTRA_COLUMNS
from .io_table import parse_io_table
from .nbs_portal_csv import EXTRA_COLUMNS as NBS_EXTRA_COLUMNS
from .nbs_portal_csv import parse_nbs_portal_csv
from .wide_panel_csv import parse_wide_panel_csv
from .wind_edb import parse_wind_edb_export
from .workbook import PASSWORD_PROTECTED, read_workbook
from .yearbook_region_table import EXTRA_COLUMNS as REGION_TABLE_EXTRA_COLUMNS
from .yearbook_region_table import parse_yearbook_region_table

PARSERS: dict[str, Parser] = {
    "wind_edb": parse_wind_edb_export,
    "wide_panel_csv": parse_wide_panel_csv,
    "nbs_portal_csv": parse_nbs_portal_csv,
    "yearbook_region_table": parse_yearbook_region_table,
    "io_table": parse_io_table,
}
# Columns a layout adds to the common long shape (e.g. the data vintage of NBS portal exports).
# A layout whose columns carry different indicators (a yearbook table: enterprises, revenue,
# profit) names each row's indicator itself; otherwise the family's indicator applies.
EXTRA_COLUMNS = {
    # the header cell a cell's labels were printed in: a wrong label is one cell to correct
    "wind_edb": ["label_cell"],
    "wide_panel_csv": ["label_cell"],
    "nbs_portal_csv": NBS_EXTRA_COLUMNS,
    "yearbook_region_table": REGION_TABLE_EXTRA_COLUMNS,
    "io_table": IO_TABLE_EXTRA_COLUMNS,
}

LINEAGE_COLUMNS = ["source_family", "indicator", "source_file", "file_sha256", "loaded_at", "raw_value_id"]
# Reference layouts (not statistics) keep their own columns; they get the same file lineage.
REFERENCE_LAYOUTS = {"concordance_csv": (parse_concordance_csv, CONCORDANCE_COLUMNS)}


def load_family(family: SourceFamily, files: list[Path], raw_dir: Path) -> pd.DataFrame:
    """Parse every file of a family; a failure names the file, sheet, row and column."""
    if family.layout in REFERENCE_LAYOUTS:
        return _load_reference(family, files, raw_dir)
    parser = PARSERS.get(family.layout)
    if parser is None:
        raise SourceFileError(
            family.key, f"catalogue names unknown layout {family.layout!r}", expected=f"one of {sorted(PARSERS)}"
        )
    loaded_at = datetime.now(UTC).replace(tzinfo=None)
    columns = COLUMNS + [c for c in EXTRA_COLUMNS.get(family.layout, []) if c != "indicator"]
    per_row_indicator = "indicator" in EXTRA_COLUMNS.get(family.layout, [])
    frames = []
    for path in files:
        relative = path.relative_to(raw_dir).as_posix()
        options = {"derived": family.derived} if family.derived else {}
        options.update(family.layout_options or {})
        try:
            rows = parser(
                path,
                display_name=relative,
                expected_indicator_label=family.indicator_label_zh,
                catalogue_unit=family.unit,
                **options,
            )
        except SourceFileError as exc:
            if exc.problem == PASSWORD_PROTECTED:
                _name_readable_sibling(exc, path, files, raw_dir)
            raise
        frame = pd.DataFrame(rows, columns=columns + (["indicator"] if per_row_indicator else []))
        sha = file_sha256(path)
        frame["source_family"] = family.key
        if not per_row_indicator:
            frame["indicator"] = family.indicator
        frame["source_file"] = relative
        frame["file_sha256"] = sha
        frame["loaded_at"] = loaded_at
        # Stable across reloads of the same file: the cell's address within that exact file.
        frame["raw_value_id"] = sha[:16] + ":" + frame["source_sheet"] + "!" + frame["source_cell"]
        frames.append(frame)
    if not frames:
        return pd.DataFrame(columns=columns + LINEAGE_COLUMNS)
    table = pd.concat(frames, ignore_index=True)
    table["year"] = table["year"].astype("int32")
    table["value"] = table["value"].astype("float64")
    table["source_row"] = table["source_row"].astype("int32")
    return table[LINEAGE_COLUMNS[:2] + columns + LINEAGE_COLUMNS[2:]]


def reject_identical_copies(hashes: dict[str, str]) -> None:
    """Two files of one family with the same bytes are one export saved twice, under names that
    give it two identities (a province's export copied under another province's name)."""
    seen: dict[str, str] = {}
    for relative, sha in sorted(hashes.items()):
        if sha in seen:
            raise SourceFileError(
                relative,
                f"is a byte-for-byte copy of {seen[sha]}",
                expected="each file of a family to be a different export",
            )
        seen[sha] = relative


def _load_reference(family: SourceFamily, files: list[Path], raw_dir: Path) -> pd.DataFrame:
    parser, columns = REFERENCE_LAYOUTS[family.layout]
    loaded_at = datetime.now(UTC).replace(tzinfo=None)
    frames = []
    for path in files:
        relative = path.relative_to(raw_dir).as_posix()
        frame = pd.DataFrame(parser(path, display_name=relative), columns=columns)
        sha = file_sha256(path)
        frame["source_family"], frame["source_file"], frame["file_sha256"] = family.key, relative, sha
        frame["loaded_at"] = loaded_at
        frame["raw_value_id"] = sha[:16] + ":(csv)!row" + frame["source_row"].astype(str)
        frames.append(frame)
    lineage = ["source_family", "source_file", "file_sha256", "loaded_at", "raw_value_id"]
    if not frames:
        return pd.DataFrame(columns=columns + lineage)
    table = pd.concat(frames, ignore_index=True)
    table["source_row"] = table["source_row"].astype("int32")
    return table[lineage[:2] + columns + lineage[2:]]


def _edition_key(path: Path) -> str:
    """Copies of one edition share a year in their names (raw-2014.xls, raw-2014.xlsx), else a stem."""
    years = re.findall(r"(?<!\d)((?:19|20)\d{2})(?!\d)", path.stem)
    return years[0] if years else path.stem


def _name_readable_sibling(error: SourceFileError, path: Path, files: list[Path], raw_dir: Path) -> None:
    """A protected file whose edition also arrived in a readable copy: say which, so the user
    can simply remove the protected one."""
    readable = []
    for other in files:
        if other != path and _edition_key(other) == _edition_key(path):
            try:
                read_workbook(other, other.name)
            except SourceFileError:
                continue
            readable.append(other.relative_to(raw_dir).as_posix())
    hint = (
        f"; a readable copy of the same edition: {', '.join(readable)} (remove the protected file to use it)"
        if readable
        else "; no readable copy of the same edition was found"
    )
    error.args = (str(error) + hint,)
