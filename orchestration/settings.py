"""One settings object, read from the environment, shared by Dagster and dbt.

dbt's ``profiles.yml`` reads the same variables (``WAREHOUSE_DIR``), so both sides always point at
the same DuckDB file. ``export_to_environ`` makes the paths absolute before dbt is started, because
dbt runs with its project directory as working directory.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .core.paths import DBT_PROJECT_DIR, REPO_ROOT, SAMPLE_RAW_DIR, SOURCE_CATALOGUE

__all__ = ["DBT_PROJECT_DIR", "REPO_ROOT", "SAMPLE_RAW_DIR", "SOURCE_CATALOGUE", "Settings", "SettingsError"]

BUILD_DB_NAME = "build.duckdb"
PUBLISHED_DB_NAME = "marts.duckdb"
COMPARISON_REPORTS_DIR_NAME = "comparison-reports"
DEFAULT_KEEP_VERSIONS = 5


class SettingsError(ValueError):
    """A setting that cannot be used; raised before anything runs."""


@dataclass(frozen=True)
class Settings:
    raw_dir: Path
    warehouse_dir: Path

    @classmethod
    def from_env(cls) -> Settings:
        raw = Path(os.environ.get("RAW_DIR") or SAMPLE_RAW_DIR)
        warehouse = Path(os.environ.get("WAREHOUSE_DIR") or REPO_ROOT / "warehouse")
        # Relative paths are taken from the repository root, whatever the caller's cwd.
        raw = raw if raw.is_absolute() else REPO_ROOT / raw
        warehouse = warehouse if warehouse.is_absolute() else REPO_ROOT / warehouse
        return cls(raw_dir=raw.resolve(), warehouse_dir=warehouse.resolve())

    @property
    def build_db(self) -> Path:
        """The working database every writing step uses, one at a time."""
        return self.warehouse_dir / BUILD_DB_NAME

    @property
    def published_db(self) -> Path:
        """The file users query; replaced atomically by the publish step."""
        return self.warehouse_dir / PUBLISHED_DB_NAME

    @property
    def comparison_reports_dir(self) -> Path:
        """The comparison reports written from each publication (and by `make report`)."""
        return self.warehouse_dir / COMPARISON_REPORTS_DIR_NAME

    @property
    def is_sample_raw_dir(self) -> bool:
        return is_sample_raw_dir(self.raw_dir)

    def validate(self) -> None:
        """Every setting checked before the first step, so a bad one never fails half-way."""
        keep_versions()
        workbook_bounds()
        _check_region_groups()
        comparison_pairs()
        if not self.raw_dir.is_dir():
            raise SettingsError(
                f"RAW_DIR {self.raw_dir} is not a directory: set RAW_DIR to the folder "
                "holding the yearbook extracts (e.g. ../shared/data/yearbook)."
            )
        if not os.access(self.raw_dir, os.R_OK | os.X_OK):
            raise SettingsError(
                f"RAW_DIR {self.raw_dir} cannot be read by this user (permission denied): its files "
                "cannot be listed, let alone read."
            )
        if self.warehouse_dir.exists() and not self.warehouse_dir.is_dir():
            raise SettingsError(f"WAREHOUSE_DIR {self.warehouse_dir} exists and is not a directory.")
        probe = self.warehouse_dir if self.warehouse_dir.exists() else self.warehouse_dir.parent
        if probe.exists() and not os.access(probe, os.W_OK):
            raise SettingsError(
                f"WAREHOUSE_DIR {self.warehouse_dir} is not writable by this user: the build "
                "database and the published file live there."
            )

    def export_to_environ(self) -> None:
        self.warehouse_dir.mkdir(parents=True, exist_ok=True)
        os.environ["RAW_DIR"] = str(self.raw_dir)
        os.environ["WAREHOUSE_DIR"] = str(self.warehouse_dir)


def groups_file() -> Path | None:
    """The file REGION_GROUPS_FILE names (relative paths from the repository root), or None; read
    and checked by orchestration/region_groups.py."""
    text = os.environ.get("REGION_GROUPS_FILE", "").strip()
    if not text:
        return None
    path = Path(text)
    return path if path.is_absolute() else (REPO_ROOT / path).resolve()


# what a publication made from raw/ is, wherever a user reads about it (make run, make status, the
# comparison report)
SAMPLES_NOTE = "SAMPLE extracts in raw/ (synthetic values, not official statistics)"


def is_sample_raw_dir(raw_dir: Path | str) -> bool:
    """The project's own synthetic samples (raw/ of this checkout), not statistics anyone relies on."""
    return Path(raw_dir).resolve() == SAMPLE_RAW_DIR.resolve()


def built_from_samples(manifest: dict) -> bool:
    """Whether the publication whose manifest this is was made from the samples; publications made
    before the manifest said so, from the samples if they came from raw/."""
    raw_dir = manifest.get("raw_dir")
    return bool(manifest.get("raw_dir_is_samples", bool(raw_dir) and is_sample_raw_dir(raw_dir)))


@dataclass(frozen=True)
class WorkbookBounds:
    """Sizes no statistical export reaches, checked before a workbook is parsed (a zip bomb, or a
    file that is not an export, would otherwise take the machine's memory)."""

    max_mib: int  # MAX_WORKBOOK_MIB: an .xlsx's parts, decompressed
    max_sheet_cells: int  # MAX_SHEET_CELLS: rows x columns of one sheet


DEFAULT_MAX_WORKBOOK_MIB = 50
DEFAULT_MAX_SHEET_CELLS = 2_000_000


def workbook_bounds() -> WorkbookBounds:
    """MAX_WORKBOOK_MIB and MAX_SHEET_CELLS (whole numbers of at least 1), or their defaults."""
    values = {}
    for name, default in (("MAX_WORKBOOK_MIB", DEFAULT_MAX_WORKBOOK_MIB), ("MAX_SHEET_CELLS", DEFAULT_MAX_SHEET_CELLS)):
        text = os.environ.get(name, "").strip().replace("_", "").replace(",", "")
        if text and (not text.isdigit() or int(text) < 1):
            raise SettingsError(
                f"{name}={os.environ[name]!r} is not a whole number of at least 1: it bounds the size of a "
                f"workbook before it is parsed (default {default:,})."
            )
        values[name] = int(text) if text else default
    return WorkbookBounds(values["MAX_WORKBOOK_MIB"], values["MAX_SHEET_CELLS"])


def keep_versions() -> int:
    """PUBLISH_KEEP_VERSIONS: how many published versions to keep (a whole number, at least 1)."""
    text = os.environ.get("PUBLISH_KEEP_VERSIONS", "").strip()
    if not text:
        return DEFAULT_KEEP_VERSIONS
    if not text.isdigit() or int(text) < 1:
        raise SettingsError(
            f"PUBLISH_KEEP_VERSIONS={text!r} is not a whole number of at least 1: it says how "
            "many published versions to keep in WAREHOUSE_DIR/versions (default "
            f"{DEFAULT_KEEP_VERSIONS})."
        )
    return int(text)


def _check_region_groups() -> None:
    """REGION_GROUPS_FILE, when set, read and checked in full (see orchestration/region_groups.py)."""
    from .core.errors import SourceFileError
    from .region_groups import read_groups

    path = groups_file()
    if path is None:
        return
    try:
        read_groups(path)
    except SourceFileError as exc:
        raise SettingsError(f"REGION_GROUPS_FILE: {exc}") from None


@dataclass(frozen=True)
class ComparisonPair:
    """Two region groups compared over a span of years (REPORT_PAIRS; dbt var comparison_pairs)."""

    a: str
    b: str
    year_from: int
    year_to: int
    heatmap_years: tuple[int, ...] = ()  # the report's per-year heatmaps (default: both ends)

    @property
    def union_code(self) -> str:
        return f"{self.a}+{self.b}"

    @property
    def span_set(self) -> str:
        return f"span_{self.year_from}_{self.year_to}"

    @property
    def pair_set(self) -> str:
        return f"pair_{self.a}_{self.b}_{self.year_from}_{self.year_to}"


DEFAULT_REPORT_PAIRS = "yrd:jjj:2005:2014"


def comparison_pairs() -> list[ComparisonPair]:
    """REPORT_PAIRS ("a:b:from:to", comma-separated; default yrd:jjj:2005:2014), checked."""
    text = os.environ.get("REPORT_PAIRS", "").strip() or DEFAULT_REPORT_PAIRS
    pairs = []
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        parts = item.split(":")
        if len(parts) != 4 or not parts[2].isdigit() or not parts[3].isdigit() or int(parts[2]) >= int(parts[3]):
            raise SettingsError(
                f"REPORT_PAIRS: {item!r} is not a:b:from:to with two region group codes and from < to "
                "(e.g. yrd:jjj:2005:2014)."
            )
        pairs.append(ComparisonPair(parts[0], parts[1], int(parts[2]), int(parts[3])))
    known = _known_group_codes()
    for pair in pairs:
        for code in (pair.a, pair.b):
            if code not in known:
                raise SettingsError(
                    f"REPORT_PAIRS: unknown region group {code!r}: use a code of seeds/region_group.csv or of "
                    "the REGION_GROUPS_FILE."
                )
    return pairs


def report_pairs_setting() -> list[str]:
    """REPORT_PAIRS as the publication manifest records it (a:b:from:to each)."""
    return [f"{p.a}:{p.b}:{p.year_from}:{p.year_to}" for p in comparison_pairs()]


def _known_group_codes() -> set[str]:
    from .region_groups import builtin_groups, read_groups

    codes = set(builtin_groups())
    path = groups_file()
    if path is not None and path.is_file():
        codes |= {group.code for group in read_groups(path)}
    return codes
