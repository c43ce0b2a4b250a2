"""The source catalogue (sources.yml): which files under RAW_DIR belong to which family."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path

import yaml

from ..core.errors import SourceFileError
from ..settings import SOURCE_CATALOGUE

# libyaml's loader reads the catalogue in 2 ms instead of 20 ms; a refresh loads it about twenty
# times (each ingest step, the checks, the file list, the publish step).
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


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
    def load(cls, path: Path = SOURCE_CATALOGUE) -> Catalogue:
        spec = yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER)
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
        return self.scan(raw_dir).assigned

    def scan(self, raw_dir: Path) -> Listing:
        """Every file under raw_dir assigned to its family, and the artefacts skipped (see
        `is_artefact`); strays are rejected with SourceFileError."""
        assigned: dict[str, list[Path]] = {key: [] for key in self.families}
        skipped: list[str] = []
        if not raw_dir.is_dir():
            raise SourceFileError(
                str(raw_dir), "the raw-data directory does not exist", expected="a directory (set RAW_DIR)"
            )
        for path in _entries(raw_dir):
            relative = path.relative_to(raw_dir).as_posix()
            if is_artefact(path.name):
                skipped.append(relative)
                continue
            family = [f for f in self.families.values() if f.matches(relative)]
            if len(family) > 1:
                raise SourceFileError(
                    relative,
                    "matches more than one catalogue family",
                    expected="exactly one",
                    found=[f.key for f in family],
                )
            if family or not any(fnmatch(relative, pattern) for pattern, _ in self.not_ingested):
                _check_readable_file(path, relative)
            if family:
                assigned[family[0].key].append(path)
            elif not any(fnmatch(relative, pattern) for pattern, _ in self.not_ingested):
                patterns = sorted(p for f in self.families.values() for p in f.path_patterns)
                raise SourceFileError(
                    relative,
                    "matches no family of the source catalogue (orchestration/ingest/sources.yml)",
                    expected=f"a path matching one of {patterns}",
                )
        return Listing(assigned, tuple(sorted(skipped)))


@dataclass(frozen=True)
class Listing:
    assigned: dict[str, list[Path]]  # family -> its files
    skipped: tuple[str, ...]  # artefacts, relative to the raw-data directory

    def source_files(self, raw_dir: Path) -> list[tuple[str, str]]:
        """(family, path under raw_dir) of every file a refresh would read, as raw.source_file names them."""
        return [
            (family, path.relative_to(raw_dir).as_posix()) for family, paths in self.assigned.items() for path in paths
        ]


# Files that operating systems and office programs leave beside the ones a user saved: never an
# extract, so skipped (and listed) rather than rejected as strays. Excel's lock file "~$江苏.xlsx"
# exists while 江苏.xlsx is open and would otherwise match the family's *.xlsx pattern.
ARTEFACT_NAMES = {"thumbs.db", "desktop.ini", "ehthumbs.db"}


def describe_skipped(skipped: tuple[str, ...] | list[str], limit: int = 10) -> str:
    shown = ", ".join(skipped[:limit]) + (f" and {len(skipped) - limit} more" if len(skipped) > limit else "")
    return (
        f"Skipped {len(skipped)} file{'s' if len(skipped) > 1 else ''} that no extract is (office lock files, "
        f"hidden and folder-metadata files): {shown}."
    )


def is_artefact(name: str) -> bool:
    """An office lock file (~$*), a hidden file (.DS_Store, ._*, editor swap files) or Windows
    folder metadata (Thumbs.db, desktop.ini)."""
    return name.startswith(("~$", ".")) or name.lower() in ARTEFACT_NAMES


def _entries(raw_dir: Path) -> list[Path]:
    """Every entry under raw_dir that is not a directory: regular files, but also symlinks (good or
    broken), FIFOs, devices and sockets, so none of them can be skipped without a word. Symlinked
    directories are followed once (a loop is walked no further); hidden directories (.git, .Trash)
    are not walked. A folder that cannot be listed is refused by name: its files would otherwise
    look deleted."""

    def unreadable(error: OSError) -> None:
        folder = Path(error.filename)
        name = folder.relative_to(raw_dir).as_posix() if folder.is_relative_to(raw_dir) else str(folder)
        raise SourceFileError(
            f"{name}/", f"cannot be listed ({error.strerror})", expected="a folder this user can read"
        ) from None

    found, seen = [], set()
    for folder, directories, files in os.walk(raw_dir, followlinks=True, onerror=unreadable):
        identity = (os.stat(folder).st_dev, os.stat(folder).st_ino)
        if identity in seen:
            directories[:] = []
            continue
        seen.add(identity)
        directories[:] = sorted(d for d in directories if not d.startswith("."))
        found += [Path(folder) / name for name in files]
    return sorted(found)


def _check_readable_file(path: Path, relative: str) -> None:
    """A catalogued path must be a readable regular file (a symlink to one is fine)."""
    expected = "a readable regular file"
    try:
        mode = path.stat().st_mode  # follows symlinks
    except FileNotFoundError:
        raise SourceFileError(
            relative, f"is a symbolic link to {os.readlink(path)!r}, which does not exist", expected=expected
        ) from None
    except OSError as exc:  # ELOOP: a link that points at itself, directly or not
        raise SourceFileError(relative, f"cannot be followed ({exc.strerror})", expected=expected) from None
    kinds = {
        stat.S_ISFIFO: "a named pipe (FIFO)",
        stat.S_ISCHR: "a character device",
        stat.S_ISBLK: "a block device",
        stat.S_ISSOCK: "a socket",
        stat.S_ISDIR: "a directory",
    }
    for test, kind in kinds.items():
        if test(mode):
            raise SourceFileError(relative, f"is {kind}, not a file", expected=expected)
    if not os.access(path, os.R_OK):
        raise SourceFileError(relative, "cannot be read by this user (permission denied)", expected=expected)
