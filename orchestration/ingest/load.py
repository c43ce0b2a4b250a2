"""Turn a family's files into one long raw table with lineage on every value."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from .catalogue import SourceFamily
from .errors import SourceFileError
from .nbs_portal_csv import EXTRA_COLUMNS as NBS_EXTRA_COLUMNS, parse_nbs_portal_csv
from .wide_panel_csv import parse_wide_panel_csv
from .wind_edb import COLUMNS, parse_wind_edb_export
from .workbook import file_sha256

PARSERS = {"wind_edb": parse_wind_edb_export, "wide_panel_csv": parse_wide_panel_csv,
           "nbs_portal_csv": parse_nbs_portal_csv}
# Columns a layout adds to the common long shape (e.g. the data vintage of NBS portal exports).
EXTRA_COLUMNS = {"nbs_portal_csv": NBS_EXTRA_COLUMNS}

LINEAGE_COLUMNS = ["source_family", "indicator", "source_file", "file_sha256", "loaded_at", "raw_value_id"]


def load_family(family: SourceFamily, files: list[Path], raw_dir: Path) -> pd.DataFrame:
    """Parse every file of a family; a failure names the file, sheet, row and column."""
    parser = PARSERS.get(family.layout)
    if parser is None:
        raise SourceFileError(family.key, f"catalogue names unknown layout {family.layout!r}",
                              expected=f"one of {sorted(PARSERS)}")
    loaded_at = datetime.now(timezone.utc).replace(tzinfo=None)
    columns = COLUMNS + EXTRA_COLUMNS.get(family.layout, [])
    frames = []
    for path in files:
        relative = path.relative_to(raw_dir).as_posix()
        options = {"derived": family.derived} if family.derived else {}
        rows = parser(path, display_name=relative, expected_indicator_label=family.indicator_label_zh,
                      catalogue_unit=family.unit, **options)
        frame = pd.DataFrame(rows, columns=columns)
        sha = file_sha256(path)
        frame["source_family"] = family.key
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
