"""The dbt models as Dagster assets: keys and groups follow the dbt layers."""

import re
import time
from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets

from .checks import report
from .checks.dbt_results import column_rules, dbt_test_results, explain_failed_tests, rules_text
from .dbt_project import warehouse_dbt_project
from .publish_scope import BUILD_NOTE, published_note
from .resources import WarehouseResource

LAYER_GROUPS = {"staging": "staging", "intermediate": "intermediate", "marts": "marts"}
# dbt writes a debug log file (dbt.log, about 8 MB: every statement and connection event) beside
# its structured output unless told not to. Nothing reads it: what a user reads, dbt's node lines
# included, is the run's log and reports in WAREHOUSE_DIR, and the invocation's directory keeps the
# compiled SQL. Writing it costs about 0.7 s of dbt's own elapsed time on the real extracts
# (docs/benchmarks.md, "dbt's debug log file").
BUILD_ARGS = ["build", "--log-level-file", "none"]


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
        return spec.replace_attributes(
            key=dg.AssetKey([layer, props["name"]]), group_name=layer, description=self._description(props)
        )

    def get_asset_check_spec(self, asset_spec, manifest: Mapping[str, Any], unique_id: str, project):
        """A column_rules test's check says which rules it holds (the UI shows the description)."""
        spec = super().get_asset_check_spec(asset_spec, manifest, unique_id, project)
        meta = manifest["nodes"].get(unique_id, {}).get("test_metadata") or {}
        if spec is None or meta.get("name") != "column_rules":
            return spec
        rules = rules_text(column_rules(meta.get("kwargs") or {}))
        return spec._replace(description=f"The table's column rules ({rules}). Its failing rows name each broken rule.")

    @staticmethod
    def _description(props: Mapping[str, Any]) -> str:
        # the dbt description only (dagster-dbt's default appends the raw SQL under a heading)
        text = (props.get("description") or "").strip() or f"dbt {props['resource_type']} {props['name']}."
        return f"{text}\n\n{BUILD_NOTE}"


def run_results_or_failure(invocation) -> dict:
    """dbt's run_results.json. dbt writes none when it stops before building anything (a project
    file it cannot parse, a profile it cannot read): the failure then says dbt's own error, instead
    of a missing-file traceback."""
    try:
        return invocation.get_artifact("run_results.json")
    except FileNotFoundError:
        # dagster-dbt keeps the error-level lines of dbt's structured output here (dagster-dbt 0.29)
        said = "; ".join(_error_lines(invocation._error_messages))
        raise dg.Failure(
            description=(
                "dbt stopped before building anything, so nothing was published and the published file is "
                f"unchanged. dbt said: {said or 'nothing (see the run log)'}. Correct the file and line it "
                "names under dbt_project/ (a syntax error in dbt_project.yml is given by its line only) and "
                "run again."
            )
        ) from None


def _error_lines(messages: list[str]) -> list[str]:
    """What dbt's error messages say, without their frames: rules, a file's quoted lines ("64 |  ...")
    and headings."""
    lines = []
    for message in messages:
        for line in message.splitlines():
            line = " ".join(line.split())
            if line and not re.fullmatch(r"-+|\d+ \|.*|Raw Error:|Encountered an error:", line) and line not in lines:
                lines.append(line)
    return lines[:6]


@dbt_assets(
    manifest=warehouse_dbt_project.manifest_path,
    project=warehouse_dbt_project,
    dagster_dbt_translator=WarehouseTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True)),
)
def warehouse_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource):
    settings = warehouse.settings
    with warehouse.connect_build() as con:
        # Failing rows shown for this run come from this run only.
        con.execute("drop schema if exists dbt_test__audit cascade")
    warehouse.release_build()  # dbt's own process writes the file
    started = time.perf_counter()
    invocation = dbt.cli(BUILD_ARGS, context=context, raise_on_error=False)
    # dbt holds the DuckDB file for the whole run, so row counts are read once it has exited.
    events = list(invocation.stream())
    invocation.process.wait()
    run_results = run_results_or_failure(invocation)
    # dbt's command from start to exit (through the fork server: dbt's run without its imports,
    # done ahead) and the time dbt reports for executing the nodes; the benchmark compares the
    # whole refresh with these.
    timing = {
        "dbt_build_wall_seconds": round(time.perf_counter() - started, 3),
        "dbt_nodes_seconds": round(run_results.get("elapsed_time", 0.0), 3),
    }
    report.record_timing(settings.warehouse_dir, context.run.run_id, timing)
    counts = _row_counts(warehouse)
    results = dbt_test_results(run_results, warehouse)
    report.record(
        settings.warehouse_dir,
        context.run.run_id,
        "dbt_tests",
        {
            "title": "dbt tests (keys, relationships, identities, accepted values)",
            "description": "Every dbt test of this run; blocking ones stop the build.",
            "results": results,
        },
    )
    published = published_note(context)
    for event in events:
        if isinstance(event, (dg.Output, dg.AssetMaterialization)):
            key = (
                event.asset_key
                if isinstance(event, dg.AssetMaterialization)
                else context.asset_key_for_output(event.output_name)
            )
            name = key.path[-1]
            extra = {"published": published}
            if name in counts:
                extra["dagster/row_count"] = counts[name]
            event = event.with_metadata({**event.metadata, **extra})
        yield event
    if not invocation.is_successful():
        text, table = explain_failed_tests(results)
        raise dg.Failure(
            description=f"dbt build failed. {text}\nNothing was published; the published file is unchanged.",
            metadata={
                "failed_dbt_tests": dg.MetadataValue.md(table),
                "validation_summary": dg.MetadataValue.md(
                    report.markdown_summary(settings.warehouse_dir, context.run.run_id)
                ),
                "validation_report": dg.MetadataValue.path(
                    str(report.page_path(settings.warehouse_dir, context.run.run_id))
                ),
            },
        )


def _row_counts(warehouse: WarehouseResource) -> dict[str, int]:
    with warehouse.connect_build(read_only=True) as con:
        tables = con.execute(
            "select schema_name, table_name, estimated_size from duckdb_tables() "
            "where schema_name in ('reference', 'intermediate', 'marts')"
        ).fetchall()
        # duckdb_tables() counts rows without scanning each table
        return {name: int(size) for _, name, size in tables}
