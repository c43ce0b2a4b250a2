"""The source catalogue (sources.yml): which files under RAW_DIR belong to which family."""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path

import yaml

from ..settings import SOURCE_CATALOGUE
from .errors import SourceFileError


@dataclass(frozen=True)
class SourceFamily:
    key: str
    title: str
    path_patterns: tuple[str, ...]
    layout: str
    indicator: str
    indicator_label_zh: str
    unit: str
    publisher: str
    raw_table: str
    derived: tuple[dict, ...] = ()
    layout_options: dict | None = None  # passed to the layout's parser as keyword arguments

    def matches(self, relative: str) -> bool:
        return any(fnmatch(relative, pattern) for pattern in self.path_patterns)


@dataclass(frozen=True)
class Catalogue:
    families: dict[str, SourceFamily]
    not_ingested: tuple[tuple[str, str], ...]

    @classmethod
    def load(cls, path: Path = SOURCE_CATALOGUE) -> "Catalogue":
        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
        families = {
            key: SourceFamily(
                key=key,
                title=entry["title"],
                path_patterns=tuple(entry["path_patterns"]),
                layout=entry["layout"],
                indicator=entry["indicator"],
                indicator_label_zh=entry["indicator_label_zh"],
                unit=entry["unit"],
                publisher=entry["publisher"],
                raw_table=entry["raw_table"],
                derived=tuple(entry.get("derived", ())),
                layout_options=entry.get("layout_options"),
            )
            for key, entry in spec["families"].items()
        }
        skipped = tuple((e["pattern"], e["reason"]) for e in spec.get("not_ingested", []))
        return cls(families, skipped)

    def files_of(self, raw_dir: Path) -> dict[str, list[Path]]:
        """Every file under raw_dir, assigned to its family; strays are rejected.

        Raises SourceFileError for the first file no family or `not_ingested` entry covers.
        """
        assigned: dict[str, list[Path]] = {key: [] for key in self.families}
        if not raw_dir.is_dir():
            raise SourceFileError(str(raw_dir), "the raw-data directory does not exist",
                                  expected="a directory (set RAW_DIR)")
        for path in sorted(p for p in raw_dir.rglob("*") if p.is_file()):
            relative = path.relative_to(raw_dir).as_posix()
            if any(part.startswith(".") for part in Path(relative).parts):
                continue  # editor and OS droppings (.DS_Store, ~lock files)
            family = [f for f in self.families.values() if f.matches(relative)]
            if len(family) > 1:
                raise SourceFileError(relative, "matches more than one catalogue family",
                                      expected="exactly one", found=[f.key for f in family])
            if family:
                assigned[family[0].key].append(path)
            elif not any(fnmatch(relative, pattern) for pattern, _ in self.not_ingested):
                patterns = sorted(p for f in self.families.values() for p in f.path_patterns)
                raise SourceFileError(
                    relative, "matches no family of the source catalogue (orchestration/ingest/sources.yml)",
                    expected=f"a path matching one of {patterns}",
                )
        return assigned
