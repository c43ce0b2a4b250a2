"""How a built warehouse becomes the file users query.

The published file is written beside the build database under a temporary name and renamed into
place. A rename is atomic, so a reader sees the old file or the new one, never half of one; a
reader holding the old file open keeps reading it, so a refresh never waits on a query.
"""


import os
import uuid
from datetime import datetime, timezone
from pathlib import Path

import dagster as dg
import duckdb

from .resources import WarehouseResource

# The public SQL interface (dbt models in the marts schema). Add, never silently rename.
PUBLISHED_TABLES = (
    "dim_province",
    "dim_region_group",
    "dim_region_group_member",
    "dim_industry",
    "fct_industry_indicator",
    "fct_manufacturing_coverage",
    "lineage_source_cell",
    "mart_location_quotient",
    "mart_specialization_relative",
    "mart_specialization_bilateral",
    "mart_intensity_shares",
    "mart_growth",
)


def publish_warehouse(build_db: Path, published_db: Path, tables=PUBLISHED_TABLES) -> dict[str, int]:
    """Copy the published tables from the build database into a new file, then swap it in."""
    published_db.parent.mkdir(parents=True, exist_ok=True)
    staging = published_db.with_name(f".{published_db.name}.{uuid.uuid4().hex}.tmp")
    counts: dict[str, int] = {}
    try:
        with duckdb.connect(str(staging)) as con:
            con.execute(f"attach '{build_db}' as build (read_only)")
            for table in tables:
                con.execute(f"create table main.{table} as select * from build.marts.{table}")
                counts[table] = con.execute(f"select count(*) from main.{table}").fetchone()[0]
            published_at = datetime.now(timezone.utc).replace(tzinfo=None)
            con.execute(
                "create table main.publication_table as "
                "select unnest(?::varchar[]) as table_name, unnest(?::bigint[]) as row_count, ?::timestamp as published_at",
                [list(counts), list(counts.values()), published_at],
            )
            con.execute(
                "create table main.publication_source_file as "
                "select *, ?::timestamp as published_at from build.raw.source_file order by source_family, source_file",
                [published_at],
            )
            con.execute("detach build")
            con.execute("checkpoint")
        os.replace(staging, published_db)
    finally:
        for leftover in (staging, staging.with_name(staging.name + ".wal")):
            leftover.unlink(missing_ok=True)
    return counts


@dg.asset(
    key=["published", "marts_file"],
    group_name="published",
    kinds={"duckdb"},
    deps=[dg.AssetKey(["marts", name]) for name in PUBLISHED_TABLES],
    description="The DuckDB file users query (WAREHOUSE_DIR/marts.duckdb): marts, dimensions, "
    "facts and lineage, swapped in atomically.",
)
def published_marts_file(warehouse: WarehouseResource) -> dg.MaterializeResult:
    settings = warehouse.settings
    counts = publish_warehouse(settings.build_db, settings.published_db)
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(settings.published_db)),
            "dagster/row_count": sum(counts.values()),
            "tables": dg.MetadataValue.json(counts),
        }
    )
