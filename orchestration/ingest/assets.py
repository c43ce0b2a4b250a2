"""One Dagster asset per source family of the catalogue: files -> raw.<table> in the build DB; each
follows raw/file_list (ingest/file_list.py), a publishing run's first step."""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import pandas as pd

from ..code_fingerprint import ingest_fingerprint
from ..core.errors import SourceFileError
from ..core.hashing import file_sha256
from ..publish_scope import BUILD_NOTE, published_note
from ..region_groups import load_into
from ..resources import WarehouseResource
from ..settings import groups_file
from .catalogue import Catalogue, SourceFamily
from .file_list import FILE_LIST_KEY, raw_file_list
from .load import load_family, reject_identical_copies

# A run tagged so parses every file again (make run FULL=1), whatever the cache holds.
REPARSE_TAG = "warehouse/reparse"


def _reusable_files(con, family: SourceFamily, hashes: dict[str, str]) -> set[str]:
    """Files whose rows from an earlier run can stand: same bytes (SHA-256), same parser code."""
    exists = (
        con.execute(
            "select count(*) from duckdb_tables() where schema_name = 'raw' and table_name in (?, 'source_file')",
            [family.raw_table],
        ).fetchone()[0]
        == 2
    )
    if not exists:
        return set()
    columns = {r[0] for r in con.execute("describe raw.source_file").fetchall()}
    if "parser_fingerprint" not in columns:
        return set()
    rows = con.execute(
        "select source_file, file_sha256 from raw.source_file where source_family = ? and parser_fingerprint = ?",
        [family.key, ingest_fingerprint()],
    ).fetchall()
    return {file for file, sha in rows if hashes.get(file) == sha}


def _write_raw(con, family: SourceFamily, table: pd.DataFrame, keep: set[str]) -> None:
    con.execute("create schema if not exists raw")
    # Idempotent: each run replaces the family's table and its rows of the file register, keeping
    # the rows of unchanged files (`keep`) as they were loaded.
    con.register("family_rows", table)
    if keep and table.empty:
        con.execute(
            f"delete from raw.{family.raw_table} where source_file not in (select unnest(?::varchar[]))", [sorted(keep)]
        )
    elif keep:
        con.execute(
            f"""
            create or replace table raw.{family.raw_table} as
            select * from raw.{family.raw_table} where source_file in (select unnest(?::varchar[]))
            union all by name
            select * from family_rows
            """,
            [sorted(keep)],
        )
    else:
        con.execute(f"create or replace table raw.{family.raw_table} as select * from family_rows")
    con.unregister("family_rows")
    con.execute(
        """
        create table if not exists raw.source_file (
            source_family varchar, source_file varchar, file_sha256 varchar,
            n_values integer, loaded_at timestamp
        )
        """
    )
    con.execute("alter table raw.source_file add column if not exists parser_fingerprint varchar")
    con.execute("delete from raw.source_file where source_family = ?", [family.key])
    con.execute(
        f"""
        insert into raw.source_file by name
        select source_family, source_file, file_sha256, count(*) as n_values, max(loaded_at) as loaded_at,
            ? as parser_fingerprint
        from raw.{family.raw_table}
        group by source_family, source_file, file_sha256
        """,
        [ingest_fingerprint()],
    )


class RejectedInput(ValueError):
    """A family's files refused by the ingest step; the message is the sentence the run shows."""


@dataclass(frozen=True)
class FamilyFiles:
    files: list[Path]  # every file of the family under RAW_DIR
    keep: set[str]  # those whose rows of an earlier run stand (not parsed again)
    parsed: list[Path]
    table: pd.DataFrame  # the parsed files' rows


def read_family(
    family: SourceFamily, raw_dir: Path, reusable: Callable[[dict[str, str]], set[str]] = lambda hashes: set()
) -> FamilyFiles:
    """The family's files under raw_dir, parsed, but for those `reusable` (given each file's SHA-256)
    says an earlier run's rows stand for. Raises RejectedInput naming file, sheet, row and column."""
    try:
        files = Catalogue.load().files_of(raw_dir)[family.key]
        hashes = {path.relative_to(raw_dir).as_posix(): file_sha256(path) for path in files}
        reject_identical_copies(hashes)
        keep = reusable(hashes)
        # Only new or changed files are parsed; the others' rows stay as loaded.
        to_parse = [path for path in files if path.relative_to(raw_dir).as_posix() not in keep]
        table = load_family(family, to_parse, raw_dir)
    except SourceFileError as exc:
        raise RejectedInput(f"Rejected input: {exc}") from None
    return FamilyFiles(files, keep, to_parse, table)


def build_ingest_asset(family: SourceFamily) -> dg.AssetsDefinition:
    @dg.asset(
        key=["raw", family.key],
        deps=[FILE_LIST_KEY],
        group_name="raw",
        kinds={"python", "duckdb"},
        description=f"{family.title}. Files matching {list(family.path_patterns)} under RAW_DIR, "
        f"parsed as {family.layout}, one row per printed cell with its lineage.\n\n{BUILD_NOTE}",
        metadata={"unit": family.unit, "publisher": family.publisher, "raw_table": f"raw.{family.raw_table}"},
    )
    def _ingest(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
        raw_dir = warehouse.settings.raw_dir

        def reusable(hashes: dict[str, str]) -> set[str]:
            if context.run.tags.get(REPARSE_TAG) == "true":
                return set()
            with warehouse.connect_build(read_only=warehouse.settings.build_db.exists()) as con:
                return _reusable_files(con, family, hashes)

        try:
            read = read_family(family, raw_dir, reusable)
        except RejectedInput as exc:
            # The message names file, sheet, row and column; nothing is written, so the last
            # good build and the published file stay as they were.
            raise dg.Failure(description=str(exc), metadata={"raw_dir": str(raw_dir)}) from None
        files, keep, to_parse, table = read.files, read.keep, read.parsed, read.table
        if not files:
            context.log.warning(f"No files for {family.key} under {raw_dir}")
        with warehouse.connect_build() as con:
            _write_raw(con, family, table, keep)
            per_file = con.execute(
                "select source_file, file_sha256, n_values from raw.source_file where source_family = ? order by 1",
                [family.key],
            ).df()
            columns = {r[0] for r in con.execute(f"describe raw.{family.raw_table}").fetchall()}
            flags = (
                dict(con.execute(f"select value_flag, count(*) from raw.{family.raw_table} group by all").fetchall())
                if "value_flag" in columns
                else {}
            )
        return dg.MaterializeResult(
            metadata={
                "published": published_note(context),
                "dagster/row_count": int(per_file["n_values"].sum()) if len(per_file) else 0,
                # the directory this run read, in the build database (the published one: published/marts_file)
                "raw_dir_of_this_build": str(raw_dir),
                "n_files": len(files),
                "n_files_parsed": len(to_parse),
                "n_files_unchanged": len(keep),
                **(
                    {"n_suppressed": int(flags.get("suppressed", 0)), "n_missing": int(flags.get("missing", 0))}
                    if flags
                    else {}
                ),
                "source_files": dg.MetadataValue.md(per_file.to_markdown(index=False) if len(per_file) else "none"),
            }
        )

    return _ingest


@dg.asset(
    key=["raw", "region_groups"],
    deps=[FILE_LIST_KEY],
    group_name="raw",
    kinds={"python", "duckdb"},
    description="Region groups a user defines in the file REGION_GROUPS_FILE names (YAML or CSV), checked "
    "and merged with the built-in groups in dim_region_group. Without the setting the tables are empty.\n\n"
    + BUILD_NOTE,
    metadata={"raw_table": "raw.raw_region_group_member"},
)
def user_region_groups(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    path = groups_file()
    try:
        with warehouse.connect_build() as con:
            n_groups = load_into(con, path)
            members = con.execute(
                "select group_code, count(*) as n_members, string_agg(province_code, ' ' order by province_code) "
                "as members from raw.raw_region_group_member group by all order by 1"
            ).df()
    except SourceFileError as exc:
        raise dg.Failure(description=f"Rejected region groups file: {exc}") from None
    return dg.MaterializeResult(
        metadata={
            "published": published_note(context),
            "dagster/row_count": int(members["n_members"].sum()) if len(members) else 0,
            "region_groups_file": str(path) if path else "none (REGION_GROUPS_FILE not set)",
            "n_groups": n_groups,
            "groups": dg.MetadataValue.md(members.to_markdown(index=False) if len(members) else "none"),
        }
    )


def ingest_assets() -> list[dg.AssetsDefinition]:
    return [
        raw_file_list,
        *(build_ingest_asset(family) for family in Catalogue.load().families.values()),
        user_region_groups,
    ]
