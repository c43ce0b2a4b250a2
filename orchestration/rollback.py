"""Put a kept version back in place of the published file, safely.

Kept versions are hard links to the bytes that were published, so copying *over* marts.duckdb
would write into the newest kept version too. A rollback instead copies the chosen version to a
temporary file, records the rollback in that copy's manifest, and renames it into place: readers
see the old file or the restored one, never a half-copied file, and every kept version stays
byte-for-byte what it was. It takes the refresh lock, so it never races a refresh.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from .publish import replaced_atomically
from .raw_snapshot import published_snapshot
from .refresh_lock import RefreshLocked, refresh_lock
from .settings import Settings


def kept_versions(settings: Settings) -> list[Path]:
    versions = settings.warehouse_dir / "versions"
    return sorted(p for p in versions.iterdir() if (p / "marts.duckdb").exists()) if versions.is_dir() else []


def rollback(settings: Settings, version: str | None) -> int:
    versions = kept_versions(settings)
    if not versions:
        print(f"No kept versions under {settings.warehouse_dir / 'versions'}.", file=sys.stderr)
        return 1
    current = _current_version_dir(settings)
    if version is None:
        older = [v for v in versions if current is None or v.name < Path(current).name]
        if not older:
            print(
                "There is no kept version older than the current publication. Kept: "
                + ", ".join(v.name for v in versions),
                file=sys.stderr,
            )
            return 1
        chosen = older[-1]
    else:
        chosen = next((v for v in versions if v.name == version), None)
        if chosen is None:
            print(f"No kept version {version!r}. Kept: " + ", ".join(v.name for v in versions), file=sys.stderr)
            return 1
    try:
        with refresh_lock(
            settings.warehouse_dir, run_id="rollback", raw_dir=settings.raw_dir, launched_by="make rollback"
        ):
            restore(settings, chosen)
    except RefreshLocked as exc:
        print(f"Not rolled back: {exc}", file=sys.stderr)
        return 1
    print(f"Rolled back: {settings.published_db} now holds the publication kept in {chosen}.")
    return 0


def restore(settings: Settings, version_dir: Path) -> None:
    with replaced_atomically(settings.published_db) as staging:
        shutil.copyfile(version_dir / "marts.duckdb", staging)  # a new inode, never the kept one
        os.chmod(staging, 0o644)
        with duckdb.connect(str(staging)) as con:
            row = con.execute("select manifest from publication_manifest order by published_at desc limit 1").fetchone()
            manifest = json.loads(row[0]) if row else {}
            manifest["rolled_back"] = {
                "at": datetime.now(UTC).isoformat(timespec="seconds"),
                "from_version": version_dir.name,
                "replaced_version": _current_version_dir(settings),
            }
            con.execute(
                "update publication_manifest set manifest = ?::json where published_at = "
                "(select max(published_at) from publication_manifest)",
                [json.dumps(manifest, ensure_ascii=False, default=str)],
            )
            con.execute("checkpoint")
    with open(settings.warehouse_dir / "rollbacks.log", "a", encoding="utf-8") as log:
        log.write(json.dumps(manifest["rolled_back"]) + "\n")


def _current_version_dir(settings: Settings) -> str | None:
    _, manifest = published_snapshot(settings.published_db)
    rolled = manifest.get("rolled_back") or {}
    if rolled.get("from_version"):
        return str(settings.warehouse_dir / "versions" / rolled["from_version"])
    return manifest.get("version_dir")
