"""What `make run` decides before Dagster or dbt start, in seconds: everything the raw directory
and its file list settle.

- Leftovers of a killed refresh: staging files of an interrupted publication are removed, under
  the refresh lock (a running refresh makes this one stop here, naming it).
- Artefacts beside the extracts (office lock files, .DS_Store, Thumbs.db, desktop.ini) are
  skipped and listed; a stray or unreadable file is refused by name, as the ingest step would.
- The publication guard's file-list rules (orchestration/publication_guard.py,
  `compare_file_lists`): an empty RAW_DIR (always refused), another raw directory than the
  current publication's, source files or the REGION_GROUPS_FILE gone (refused unless
  ALLOW_CHANGES=1). A run that publishes applies the same rules in its first step (raw/file_list),
  whatever launched it, and the guard applies them again before publishing, over the files the
  build actually read.

Nothing here imports Dagster or parses a workbook.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

from .core.errors import SourceFileError
from .ingest.catalogue import Catalogue, describe_skipped
from .publication_guard import PublishedFrom, compare_file_lists, refusal_message
from .refresh_lock import RefreshLocked, clear_leftovers, describe_removed
from .region_groups import source_key
from .settings import Settings, groups_file

HEADING = "The warehouse was NOT refreshed (decided from RAW_DIR's file list, before any file was parsed):"


@dataclass
class Preflight:
    refusal: str | None = None  # the whole message; None: the refresh may start
    said: list[str] = field(default_factory=list)  # what the user is told either way
    notes: list[str] = field(default_factory=list)  # the guard's notes (also in `said`)
    files: list[tuple[str, str]] = field(default_factory=list)  # (source_family, source_file) listed


def preflight(settings: Settings, allow_changes: bool) -> Preflight:
    result = Preflight()
    try:
        removed = clear_leftovers(settings.warehouse_dir)
    except RefreshLocked as exc:
        result.refusal = f"The warehouse was NOT refreshed: {exc}"
        return result
    decided = file_list_decision(settings, allow_changes, HEADING)
    decided.said = ([describe_removed(removed, settings.warehouse_dir)] if removed else []) + decided.said
    return decided


def file_list_decision(settings: Settings, allow_changes: bool, heading: str) -> Preflight:
    """The guard's file-list rules over the catalogue's listing of RAW_DIR (and the REGION_GROUPS_FILE),
    against the current publication: `make run` before Dagster starts, and a publishing run's first
    step (raw/file_list) for every other launch path."""
    result = Preflight()
    try:
        listing = Catalogue.load().scan(settings.raw_dir)
    except SourceFileError as exc:
        # the sentence the ingest step gives for the same file
        result.refusal = f"{heading}\n- Rejected input: {exc}"
        return result
    if listing.skipped:
        result.said.append(describe_skipped(listing.skipped))
    current = listing.source_files(settings.raw_dir)
    groups = groups_file()
    if groups is not None and groups.is_file():
        current.append(("region_groups", source_key(groups)))
    result.files = current
    try:
        published = PublishedFrom.read(settings.published_db)
    except duckdb.Error:
        published = None  # an unreadable publication: the run's guard reports it
    comparison = compare_file_lists(published, settings.raw_dir, current)
    result.notes = comparison.notes
    result.said += comparison.notes
    result.refusal = refusal_message(comparison, allow_changes, heading, settings.published_db)
    return result
