"""dbt's saved parse, reused in another WAREHOUSE_DIR.

dbt keeps the parsed project in target/partial_parse.msgpack and parses everything again when the
profile's connection details differ from those of the saved parse (its "profile hash"). Ours
differ from one warehouse directory to another only in the build database's path, which no model
reads while parsing; a dbt invocation in another directory (`make run WAREHOUSE_DIR=...`, a
Launchpad choice, every test's scratch directory) paid a full parse for the same manifest: 7–8 s
against 3 s, measured on the 2-core machine (docs/benchmarks.md).

`python -m orchestration.dbt_parse_state` is the project's `dbt parse`: it parses, then records
the connection details dbt hashed (dbt's own text of them, checked against the hash it saved).
`reuse_for` then gives a saved parse the hash dbt will compute for another directory. Anything
it cannot check (no record, a record of another parse, a path not under WAREHOUSE_DIR) leaves the
saved parse as it is, and dbt parses in full as before.
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import pprint
import sys
from pathlib import Path

from .settings import DBT_PROJECT_DIR

SAVED_PARSE = "partial_parse.msgpack"
RECORD = "partial_parse_connection.json"


def _profile_hash(connection: list[tuple]) -> str:
    # dbt's ManifestLoader: FileHash.from_contents(pprint.pformat(sorted connection_info()))
    return hashlib.sha256(pprint.pformat(connection).encode("utf-8")).hexdigest()


def _saved_hash(state: dict) -> str | None:
    return ((state.get("state_check") or {}).get("profile_hash") or {}).get("checksum")


def _connection_for(record: dict, saved_hash: str, warehouse_dir: str) -> list[tuple] | None:
    """The connection details dbt will hash in warehouse_dir, if the record is of this parse."""
    connection = ast.literal_eval(record["connection"])
    if _profile_hash(connection) != saved_hash:
        return None  # the record is of another parse (or another dbt's text): do not guess
    recorded_dir = record["warehouse_dir"]
    changed = []
    for key, value in connection:
        if key == "path":
            if not isinstance(value, str) or not value.startswith(recorded_dir + "/"):
                return None
            value = warehouse_dir + value[len(recorded_dir) :]
        changed.append((key, value))
    return changed


def reuse_for(source_dir: Path, destination_dir: Path, warehouse_dir: str | None) -> bool:
    """Write the saved parse of source_dir into destination_dir with the profile hash dbt computes for
    warehouse_dir. False (and nothing written) when it cannot be checked or is not needed."""
    import msgpack

    saved, record_file = source_dir / SAVED_PARSE, source_dir / RECORD
    if not warehouse_dir or not saved.exists() or not record_file.exists():
        return False
    record = json.loads(record_file.read_text(encoding="utf-8"))
    if record["warehouse_dir"] == warehouse_dir:
        return False  # the saved parse is this directory's already
    state = msgpack.unpackb(saved.read_bytes(), raw=False, strict_map_key=False)
    saved_hash = _saved_hash(state)
    connection = _connection_for(record, saved_hash, warehouse_dir) if saved_hash else None
    if connection is None:
        return False
    state["state_check"]["profile_hash"]["checksum"] = _profile_hash(connection)
    destination_dir.mkdir(parents=True, exist_ok=True)
    # another process may be copying the saved parse: it sees the old file or the new, never half
    partial = destination_dir / f".{SAVED_PARSE}.{os.getpid()}"
    partial.write_bytes(msgpack.packb(state))
    partial.replace(destination_dir / SAVED_PARSE)
    if source_dir == destination_dir:
        _write_record(source_dir, warehouse_dir, pprint.pformat(connection))
    return True


def _write_record(target_dir: Path, warehouse_dir: str, connection_text: str) -> None:
    partial = target_dir / f".{RECORD}.{os.getpid()}"
    partial.write_text(json.dumps({"warehouse_dir": warehouse_dir, "connection": connection_text}), encoding="utf-8")
    partial.replace(target_dir / RECORD)


def _record_connection(target_dir: Path, warehouse_dir: str) -> None:
    """dbt's text of the connection details it hashed in this process's parse, kept if it hashes to
    the saved hash (so a later dbt that hashes differently is noticed, not guessed)."""
    import msgpack
    import yaml
    from dbt.adapters.factory import load_plugin
    from dbt.config.profile import Profile
    from dbt.config.renderer import ProfileRenderer
    from dbt_common.context import set_invocation_context

    set_invocation_context(os.environ)
    project = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))
    profile = Profile.render(ProfileRenderer({}), project["profile"], None, None)
    load_plugin(profile.credentials.type)
    text = pprint.pformat(sorted(profile.credentials.connection_info()))
    state = msgpack.unpackb((target_dir / SAVED_PARSE).read_bytes(), raw=False, strict_map_key=False)
    if hashlib.sha256(text.encode("utf-8")).hexdigest() == _saved_hash(state):
        _write_record(target_dir, warehouse_dir, text)
    else:
        (target_dir / RECORD).unlink(missing_ok=True)


def parse() -> int:
    """`dbt parse` of the project, partial where a saved parse of another WAREHOUSE_DIR allows."""
    from dbt.cli.main import dbtRunner

    warehouse_dir = os.environ.get("WAREHOUSE_DIR", "")
    target_dir = DBT_PROJECT_DIR / "target"
    reuse_for(target_dir, target_dir, warehouse_dir)
    os.chdir(DBT_PROJECT_DIR)
    result = dbtRunner().invoke(["parse", "--profiles-dir", ".", "--quiet"])
    if not result.success:
        return 1
    if warehouse_dir:
        _record_connection(target_dir, warehouse_dir)
    return 0


if __name__ == "__main__":
    sys.exit(parse())
