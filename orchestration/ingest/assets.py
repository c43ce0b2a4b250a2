"""One Dagster asset per source family of the catalogue: files -> raw.<table> in the build DB."""


import dagster as dg
import pandas as pd

from ..resources import WarehouseResource
from .catalogue import Catalogue, SourceFamily
from .errors import SourceFileError
from .load import load_family


def _write_raw(con, family: SourceFamily, table: pd.DataFrame) -> None:
    con.execute("create schema if not exists raw")
    # Idempotent: each run replaces the family's table and its rows of the file register.
    con.register("family_rows", table)
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
    con.execute("delete from raw.source_file where source_family = ?", [family.key])
    con.execute(
        f"""
        insert into raw.source_file
        select source_family, source_file, file_sha256, count(*), max(loaded_at)
        from raw.{family.raw_table}
        group by source_family, source_file, file_sha256
        """
    )


def build_ingest_asset(family: SourceFamily) -> dg.AssetsDefinition:
    @dg.asset(
        key=["raw", family.key],
        group_name="raw",
        kinds={"python", "duckdb"},
        description=f"{family.title}. Files matching {list(family.path_patterns)} under RAW_DIR, "
        f"parsed as {family.layout}, one row per printed cell with its lineage.",
        metadata={"unit": family.unit, "publisher": family.publisher, "raw_table": f"raw.{family.raw_table}"},
    )
    def _ingest(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
        raw_dir = warehouse.settings.raw_dir
        try:
            files = Catalogue.load().files_of(raw_dir)[family.key]
            table = load_family(family, files, raw_dir)
        except SourceFileError as exc:
            # The message names file, sheet, row and column; nothing is written, so the last
            # good build and the published file stay as they were.
            raise dg.Failure(description=f"Rejected input: {exc}", metadata={"raw_dir": str(raw_dir)}) from None
        if table.empty:
            context.log.warning(f"No files for {family.key} under {raw_dir}")
        with warehouse.connect_build() as con:
            _write_raw(con, family, table)
        per_file = (
            table.groupby(["source_file", "file_sha256"]).size().reset_index(name="n_values")
            if not table.empty else pd.DataFrame(columns=["source_file", "file_sha256", "n_values"])
        )
        return dg.MaterializeResult(
            metadata={
                "dagster/row_count": len(table),
                "raw_dir": str(raw_dir),
                "n_files": len(files),
                **({
                    "n_suppressed": int((table["value_flag"] == "suppressed").sum()),
                    "n_missing": int((table["value_flag"] == "missing").sum()),
                } if "value_flag" in table else {}),
                "source_files": dg.MetadataValue.md(per_file.to_markdown(index=False) if len(per_file) else "none"),
            }
        )

    return _ingest


def ingest_assets() -> list[dg.AssetsDefinition]:
    return [build_ingest_asset(family) for family in Catalogue.load().families.values()]
