"""A saved dbt parse reused in another WAREHOUSE_DIR: dbt parses only what changed, and the manifest
is the one a full parse gives."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import msgpack

from orchestration.dbt_parse_state import RECORD, SAVED_PARSE, reuse_for
from orchestration.settings import DBT_PROJECT_DIR

TARGET = DBT_PROJECT_DIR / "target"


def _dbt_parse(target: Path, warehouse_dir: Path, *extra: str) -> str:
    """dbt parse into `target` as a run in warehouse_dir invokes it; dbt's log."""
    env = {
        **os.environ,
        "WAREHOUSE_DIR": str(warehouse_dir),
        "DBT_TARGET_PATH": str(target),
        "DBT_LOG_PATH": str(target),
    }
    dbt = Path(sys.executable).parent / "dbt"
    subprocess.run(
        [str(dbt), "parse", "--profiles-dir", ".", "--quiet", *extra], cwd=DBT_PROJECT_DIR, env=env, check=True
    )
    return (target / "dbt.log").read_text(encoding="utf-8")


def _manifest(target: Path) -> dict:
    def without_times(value):
        if isinstance(value, dict):
            return {k: without_times(v) for k, v in value.items() if k != "created_at"}
        return [without_times(v) for v in value] if isinstance(value, list) else value

    manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    manifest.pop("metadata")
    return without_times(manifest)


def _saved_copy(tmp_path: Path) -> Path:
    source = tmp_path / "saved"
    source.mkdir()
    for name in (SAVED_PARSE, RECORD):
        shutil.copy(TARGET / name, source / name)
    return source


def test_another_warehouse_directory_parses_only_what_changed_into_the_same_manifest(tmp_path):
    source = _saved_copy(tmp_path)
    warehouse = tmp_path / "another warehouse"
    assert reuse_for(source, tmp_path / "reused", str(warehouse))
    log = _dbt_parse(tmp_path / "reused", warehouse)
    assert "profile has changed" not in log
    assert "Partial parsing enabled" in log  # files whose env_var() values differ are parsed again

    _dbt_parse(tmp_path / "full", warehouse, "--no-partial-parse")
    assert _manifest(tmp_path / "reused") == _manifest(tmp_path / "full")


def test_a_saved_parse_that_cannot_be_checked_is_left_to_dbt(tmp_path):
    source = _saved_copy(tmp_path)
    record = json.loads((source / RECORD).read_text(encoding="utf-8"))
    # the directory the parse was made for: nothing to change
    assert not reuse_for(source, tmp_path / "same", record["warehouse_dir"])
    # a record of another parse: its text does not hash to the saved hash
    (source / RECORD).write_text(
        json.dumps({**record, "connection": record["connection"].replace("'main'", "'other'")}), encoding="utf-8"
    )
    assert not reuse_for(source, tmp_path / "other", str(tmp_path / "w"))
    assert not (tmp_path / "other").exists()
    # no record at all
    (source / RECORD).unlink()
    assert not reuse_for(source, tmp_path / "none", str(tmp_path / "w"))


def test_the_reused_parse_differs_from_the_saved_one_only_in_its_profile_hash(tmp_path):
    source = _saved_copy(tmp_path)
    assert reuse_for(source, tmp_path / "reused", str(tmp_path / "w"))
    before = msgpack.unpackb((source / SAVED_PARSE).read_bytes(), raw=False, strict_map_key=False)
    after = msgpack.unpackb((tmp_path / "reused" / SAVED_PARSE).read_bytes(), raw=False, strict_map_key=False)
    assert before["state_check"].pop("profile_hash") != after["state_check"].pop("profile_hash")
    assert before == after
