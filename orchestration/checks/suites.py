"""Load the versioned suites and validate a table with Great Expectations 1.x.

Each suite file names its table and its asset; each expectation carries Great Expectations' own
severity (critical blocks the run, warning and info report). Where rules go (docs/data-quality.md,
"Where a rule goes"): ranges, distributions and plausibility here; keys, relationships, identities, accepted
values and not-null as dbt tests. Thresholds come from the dbt build (int_check_parameters).

A metric's range is not in the suite file: it is the column's `range` meta in the marts' YAML
(orchestration/dbt_registry.py), where its formula and labels are, and the suite of its table gets
one blocking range expectation per such column when it is loaded. The files keep the rest: ranges
set by a threshold ($PARAMETER), plausibility warnings, formats, row counts and the raw tables.

A raw table's suite is its layout's (expectations/layouts/<layout>.json), given the family's name
(raw_table), table and asset key from the source catalogue, so a new family of a layout is
checked like the others; a family with expectations of its own keeps them in
expectations/<raw_table>.json, which then replaces the layout's.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

import pandas as pd

from ..dbt_registry import model_yaml, ranged_columns
from ..ingest.catalogue import Catalogue
from ..settings import REPO_ROOT
from .labels import with_names

EXPECTATIONS_DIR = REPO_ROOT / "expectations"
LAYOUT_SUITES_DIR = EXPECTATIONS_DIR / "layouts"
SAMPLE_ROWS = 5


@dataclass(frozen=True)
class Suite:
    name: str
    table: str
    asset_key: tuple[str, ...]
    description: str
    sample_columns: tuple[str, ...]
    spec: dict
    origin: str = ""  # the file it was read from, relative to the repository

    @classmethod
    def load(cls, path: Path) -> Suite:
        return cls.from_spec(json.loads(path.read_text(encoding="utf-8")), path)

    @classmethod
    def from_spec(cls, spec: dict, path: Path) -> Suite:
        meta = spec.get("meta", {})
        schema, table = meta["table"].split(".")
        derived = range_expectations(table) if schema == "marts" else []
        ranged = {e["kwargs"]["column"] for e in derived}
        twice = [
            e["kwargs"]["column"]
            for e in spec["expectations"]
            if e["type"] == RANGE and e["kwargs"].get("column") in ranged
        ]
        if twice:
            raise ValueError(
                f"{path.name}: the range of {', '.join(twice)} is the column's `range` meta in "
                f"{model_yaml(table)}; remove it from the suite file (a rule in two places drifts)"
            )
        spec = {**spec, "expectations": [*derived, *spec["expectations"]]}
        return cls(
            name=spec["name"],
            table=meta["table"],
            asset_key=tuple(meta["asset_key"]),
            description=meta.get("description", ""),
            sample_columns=tuple(meta.get("sample_columns", ())),
            spec=spec,
            origin=path.relative_to(REPO_ROOT).as_posix() if path.is_relative_to(REPO_ROOT) else str(path),
        )

    def columns_needed(self) -> list[str]:
        """The columns the expectations and the failing-row samples read: only these are loaded."""
        columns = list(self.sample_columns)
        for expectation in self.spec["expectations"]:
            kwargs = expectation["kwargs"]
            for column in [kwargs.get("column"), *(kwargs.get("column_list") or [])]:
                if column and column not in columns:
                    columns.append(column)
        return columns


RANGE = "expect_column_values_to_be_between"


def range_expectations(model: str) -> list[dict]:
    """One blocking expectation per column of a published model with a `range` meta: [min, max]
    (null: no bound), the ends in `range_open` excluded, each closed end widened by its
    `range_tolerance` (rounding of a sum that reaches the bound)."""
    expectations = []
    for column, meta in ranged_columns(model).items():
        low, high = meta["range"]
        tolerance = meta.get("range_tolerance") or {}
        kwargs: dict = {"column": column}
        if low is not None:
            kwargs["min_value"] = low - tolerance.get("min", 0)
        if high is not None:
            kwargs["max_value"] = high + tolerance.get("max", 0)
        for end in meta.get("range_open") or []:
            kwargs[f"strict_{end}"] = True
        expectation = {"type": RANGE, "kwargs": kwargs, "severity": "critical"}
        expectation["meta"] = {"registered_in": model_yaml(model)}
        if "range_why" in meta:
            expectation["meta"]["why"] = meta["range_why"]
        expectations.append(expectation)
    return expectations


def all_suites() -> list[Suite]:
    """The suite files, and for each catalogued family without one its layout's suite."""
    suites = {path.stem: Suite.load(path) for path in sorted(EXPECTATIONS_DIR.glob("*.json"))}
    for family in Catalogue.load().families.values():
        template = LAYOUT_SUITES_DIR / f"{family.layout}.json"
        if family.raw_table in suites or not template.exists():
            continue
        spec = json.loads(template.read_text(encoding="utf-8"))
        meta = {**spec["meta"], "table": f"raw.{family.raw_table}", "asset_key": ["raw", family.key]}
        suites[family.raw_table] = Suite.from_spec({"name": family.raw_table, **spec, "meta": meta}, template)
    return [suites[name] for name in sorted(suites)]


@lru_cache(maxsize=1)
def _suites_by_name() -> dict[str, Suite]:
    return {suite.name: suite for suite in all_suites()}


def suite_named(name: str) -> Suite:
    """A suite by name, as all_suites gives it (loaded once per process: the worker's lookups)."""
    return _suites_by_name()[name]


PARAMETERS_TABLE = "intermediate.int_check_parameters"


def suite_parameters(con) -> dict:
    """The thresholds the suites name ($PARAMETER), as the dbt build that made the tables used
    them (int_check_parameters renders the dbt vars, so `--vars` reach Great Expectations too),
    and the latest plausible year, which is today's."""
    parameters: dict = {"latest_plausible_year": date.today().year}
    schema, table = PARAMETERS_TABLE.split(".")
    found = con.execute(
        "select count(*) from duckdb_tables() where schema_name = ? and table_name = ?", [schema, table]
    ).fetchone()[0]
    if found:
        parameters.update(dict(con.execute(f"select parameter, value from {PARAMETERS_TABLE}").fetchall()))
    return parameters


@lru_cache(maxsize=1)
def _gx_datasource():
    """One ephemeral GE context and pandas datasource for the whole run: creating a context per
    suite cost ~0.1 s each and wrote a temporary docs site every time."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")  # before Great Expectations is imported
    import great_expectations as gx

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = {"globally": False, "metric_calculations": False}
    return gx, context.data_sources.add_pandas("warehouse")


def validate(suite: Suite, frame: pd.DataFrame, parameters: dict) -> list[dict]:
    """One result per expectation: what it checked, its severity, and failing-row samples."""
    gx, datasource = _gx_datasource()
    asset = next((a for a in datasource.assets if a.name == suite.name), None) or datasource.add_dataframe_asset(
        suite.name
    )
    definition = next(
        (d for d in asset.batch_definitions if d.name == "whole_table"), None
    ) or asset.add_batch_definition_whole_dataframe("whole_table")
    batch = definition.get_batch(batch_parameters={"dataframe": frame})
    expectations = suite.spec["expectations"]
    gx_suite = gx.ExpectationSuite(
        name=suite.name,
        expectations=[
            {
                "type": e["type"],
                "kwargs": e["kwargs"],
                "meta": e.get("meta", {}),
                "severity": e.get("severity", "critical"),
            }
            for e in expectations
        ],
    )
    outcome = batch.validate(gx_suite, expectation_parameters=parameters, result_format={"result_format": "COMPLETE"})
    results = []
    for result in outcome.results:
        config = result.expectation_config
        details = result.result or {}
        indices = details.get("unexpected_index_list") or []
        columns = [c for c in suite.sample_columns if c in frame.columns]
        checked = config.kwargs.get("column") or config.kwargs.get("column_list")
        for column in [checked] if isinstance(checked, str) else (checked or []):
            if column in frame.columns and column not in columns:
                columns.append(column)
        sample = with_names(frame.loc[list(indices)[:SAMPLE_ROWS], columns]) if indices and columns else pd.DataFrame()
        results.append(
            {
                "expectation": config.type,
                "column": checked if isinstance(checked, str) else ", ".join(checked or []),
                "kwargs": {k: v for k, v in config.kwargs.items() if k not in ("column", "column_list", "batch_id")},
                # GE's own severity: critical blocks ("error" in the report), warning and info report
                "severity": "error"
                if str(getattr(config.severity, "value", config.severity)) == "critical"
                else "warn",
                "why": (config.meta or {}).get("why", ""),
                "success": bool(result.success),
                "unexpected_count": details.get("unexpected_count", 0 if result.success else None),
                "element_count": details.get("element_count", len(frame)),
                "sample": json.loads(sample.to_json(orient="records", force_ascii=False, date_format="iso")),
                "exception": (result.exception_info or {}).get("exception_message")
                if isinstance(result.exception_info, dict)
                else None,
            }
        )
    return results
