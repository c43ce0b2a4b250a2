"""The dbt models as Dagster assets: keys and groups follow the dbt layers."""


from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets

from .dbt_project import warehouse_dbt_project
from .resources import WarehouseResource

LAYER_GROUPS = {"staging": "staging", "intermediate": "intermediate", "marts": "marts"}


class WarehouseTranslator(DagsterDbtTranslator):
    """Seeds go to `reference`, models to their folder's layer; sources keep the ingest keys
    their meta names, so dbt sources and ingest assets are one node in the graph."""

    def get_asset_spec(self, manifest: Mapping[str, Any], unique_id: str, project) -> dg.AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        props = self.get_resource_props(manifest, unique_id)
        kind = props["resource_type"]
        if kind == "source":
            return spec
        layer = "reference" if kind == "seed" else LAYER_GROUPS.get(props["fqn"][1], "other")
        return spec.replace_attributes(key=dg.AssetKey([layer, props["name"]]), group_name=layer)


@dbt_assets(
    manifest=warehouse_dbt_project.manifest_path,
    project=warehouse_dbt_project,
    dagster_dbt_translator=WarehouseTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True)),
)
def warehouse_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource):
    # dbt holds the DuckDB file for the whole run, so row counts are read once it has exited.
    events = list(dbt.cli(["build"], context=context).stream())
    counts = _row_counts(warehouse)
    for event in events:
        if isinstance(event, (dg.Output, dg.AssetMaterialization)):
            key = event.asset_key if isinstance(event, dg.AssetMaterialization) else context.asset_key_for_output(event.output_name)
            name = key.path[-1]
            if name in counts:
                event = event.with_metadata({**event.metadata, "dagster/row_count": counts[name]})
        yield event


def _row_counts(warehouse: WarehouseResource) -> dict[str, int]:
    with warehouse.connect_build(read_only=True) as con:
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_schema in ('reference', 'staging', 'intermediate', 'marts')"
        ).fetchall()
        return {
            name: con.execute(f'select count(*) from "{schema}"."{name}"').fetchone()[0]
            for schema, name in tables
        }
