"""What a raw-data directory holds, by content: each catalogued file's SHA-256.

The sensor compares it with the current publication to notice added, changed and removed files,
and `make run` and a publishing run's first step (raw/file_list) use it to say "nothing changed"
without rebuilding.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import duckdb

from .core.hashing import file_sha256
from .ingest.catalogue import Catalogue
from .region_groups import source_key
from .settings import groups_file


def snapshot(raw_dir: Path) -> dict[str, str]:
    """relative path -> SHA-256 of every file a catalogue family ingests (strays raise), and of the
    region groups file when REGION_GROUPS_FILE names one."""
    files = {
        path.relative_to(raw_dir).as_posix(): file_sha256(path)
        for paths in Catalogue.load().files_of(raw_dir).values()
        for path in paths
    }
    groups = groups_file()
    if groups is not None and groups.is_file():
        files[source_key(groups)] = file_sha256(groups)
    return files


def published_snapshot(published_db: Path) -> tuple[dict[str, str], dict]:
    """The files the current publication was built from, and its manifest ({} when none)."""
    if not published_db.exists():
        return {}, {}
    with duckdb.connect(str(published_db), read_only=True) as con:
        files = dict(con.execute("select source_file, file_sha256 from publication_source_file").fetchall())
        row = con.execute("select manifest from publication_manifest order by published_at desc limit 1").fetchone()
    return files, json.loads(row[0]) if row else {}


@dataclass(frozen=True)
class FileChanges:
    added: tuple[str, ...]
    changed: tuple[str, ...]
    removed: tuple[str, ...]

    @classmethod
    def between(cls, before: dict[str, str], after: dict[str, str]) -> FileChanges:
        return cls(
            added=tuple(sorted(set(after) - set(before))),
            changed=tuple(sorted(f for f in set(after) & set(before) if after[f] != before[f])),
            removed=tuple(sorted(set(before) - set(after))),
        )

    def __bool__(self) -> bool:
        return bool(self.added or self.changed or self.removed)

    def describe(self, limit: int = 10) -> str:
        parts = []
        for label, files in (("added", self.added), ("changed", self.changed), ("removed", self.removed)):
            if files:
                shown = ", ".join(files[:limit]) + (f" and {len(files) - limit} more" if len(files) > limit else "")
                parts.append(f"{len(files)} {label}: {shown}")
        return "; ".join(parts) or "no file changed"


def changes_since_publication(raw_dir: Path, published_db: Path) -> tuple[FileChanges, dict, int]:
    """The files added, changed and removed against those the current publication was built from,
    its manifest ({} when nothing is published) and how many files raw_dir holds now: one listing
    and one pass of hashing. Raises SourceFileError for a file no family covers."""
    published, manifest = published_snapshot(published_db)
    current = snapshot(raw_dir)
    return FileChanges.between(published, current), manifest, len(current)


def unchanged_publication(raw_dir: Path, published_db: Path) -> tuple[dict, int] | None:
    """The current publication's manifest and file count when a refresh from raw_dir would publish
    the same numbers: the same raw directory, its catalogued files byte for byte, the same code and
    the same comparison pairs. None when anything differs (or nothing is published yet). Shared by
    `make run`, raw/file_list and the publish step, so all say "nothing changed" on the same grounds."""
    from .core.errors import SourceFileError

    try:
        changes, manifest, n_files = changes_since_publication(raw_dir, published_db)
    except SourceFileError:
        return None  # the refresh itself reports it, with file and reason
    return (manifest, n_files) if same_publication(changes, manifest, raw_dir) else None


def same_publication(changes: FileChanges, manifest: dict, raw_dir: Path) -> bool:
    """No file changed, and the raw directory, the code and the comparison pairs are the
    publication's (`manifest`; {} when nothing is published)."""
    from .code_fingerprint import code_fingerprint
    from .settings import report_pairs_setting

    return (
        bool(manifest)
        and not changes
        and manifest.get("raw_dir") == str(raw_dir)
        and manifest.get("code_fingerprint") == code_fingerprint()
        # the comparison pairs decide which industry sets are built: another REPORT_PAIRS is a change
        and manifest.get("report_pairs") == report_pairs_setting()
    )
