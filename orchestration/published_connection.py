"""The one way the query tools (`make sql`, `make export`, `make trace`, `make report`) open the
published file: read-only, and confined to it.

The session is a fresh in-memory DuckDB that attaches the published file read-only and makes it
the default catalog (named, as a direct connection names it, after the file: `marts`). DuckDB
keeps one database instance per file in a process and refuses a second connection to it with
other settings; a fresh instance neither conflicts with nor changes the connections a process
already holds (a test's, or the Dagster run that writes the report).

DuckDB's own settings then do the confining, in this order (DuckDB 2.0 accepts
`allowed_directories` only once the database is open, and nothing at all once the configuration
is locked):

- `allowed_directories`: the directories a tool may write to (the exports directory for `make sql`
  and `make export`; none for the others), plus a private spill directory removed on close;
- `enable_external_access = false`: no other file, URL, `ATTACH`, `INSTALL` or `LOAD`;
- `lock_configuration = true`: no `SET`, `RESET` or `PRAGMA` can undo the two above.

`local_files=True` (`make sql FILES=1`) skips the first two: the session reads and writes any file
its user can, and the published file stays read-only.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

EXTENSIONS_REFUSED = (
    "Refused: the query tools do not install, load or list DuckDB extensions "
    "(parquet, json, icu and the core functions are built in)."
)


class QueryRefused(ValueError):
    """A statement the confined connection refused; the message is one sentence saying why."""


@contextmanager
def open_published(published_db: Path, *, writable: Sequence[Path] = (), local_files: bool = False) -> Iterator[object]:
    """A read-only connection to `published_db` that can write only under `writable`."""
    import duckdb

    with tempfile.TemporaryDirectory(prefix="warehouse-query-spill-") as spill:
        con = duckdb.connect(":memory:", config={"temp_directory": spill})
        try:
            catalog = '"' + published_db.stem.replace('"', '""') + '"'
            con.execute(f"attach {_literal(str(published_db))} as {catalog} (read_only)")
            con.execute(f"use {catalog}")
            if local_files:
                con.execute("set lock_configuration = true")
            else:
                confine(con, writable)
            yield con
        finally:
            con.close()


def confine(con, writable: Sequence[Path] = ()) -> None:
    """Confine an open connection (a scratch database the report computed a pair in) as
    `open_published` confines its own: no file outside `writable`, settings locked."""
    directories = [_directory(path) for path in writable]
    con.execute(f"set allowed_directories = [{', '.join(_literal(d) for d in directories)}]")
    con.execute("set enable_external_access = false")
    con.execute("set lock_configuration = true")


def refusal(error: Exception, writable: Sequence[Path] = ()) -> str | None:
    """One sentence for a DuckDB error raised by the confinement, or None for any other error."""
    text = str(error).splitlines()[0] if str(error) else ""
    places = " or ".join(_directory(path) for path in writable)
    if "file system operations are disabled" in text:
        target = re.search(r'"([^"]*)"', text)
        if target and "/.duckdb/extensions" in target.group(1):
            return EXTENSIONS_REFUSED
        what = f", not {target.group(1)}" if target else ""
        if places:
            return f"Refused: this session reads only the published warehouse and writes only under {places}{what}."
        return f"Refused: this tool reads only the published warehouse{what}."
    if "external extensions is disabled" in text:
        return EXTENSIONS_REFUSED
    if "configuration has been locked" in text:
        return "Refused: the query tools' settings are fixed; SET, RESET and PRAGMA cannot change them."
    if "attached in read-only mode" in text or "in read-only mode" in text:
        return "Refused: the published warehouse is read-only; it changes only when `make run` publishes."
    return None


def _directory(path: Path) -> str:
    # resolved and with a trailing slash: DuckDB compares prefixes, so /x/exports must not admit /x/exportsY
    return str(Path(path).resolve()) + "/"


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
