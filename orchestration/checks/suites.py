"""Load the versioned suites and validate a table with Great Expectations 1.x.

Each suite file names its table, its asset and, per expectation, a severity (error blocks the
run, warn reports). Parameters come from the one place each is defined: thresholds from the dbt
vars in dbt_project.yml, province spellings and units from the dbt seeds.
"""

from __future__ import annotations

import csv
import json
import os
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

import pandas as pd
import yaml

from ..settings import DBT_PROJECT_DIR, REPO_ROOT
from .labels import with_names

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

EXPECTATIONS_DIR = REPO_ROOT / "expectations"
SAMPLE_ROWS = 5


@dataclass(frozen=True)
class Suite:
    name: str
    table: str
    asset_key: tuple[str, ...]
    description: str
    sample_columns: tuple[str, ...]
    spec: dict

    @classmethod
    def load(cls, path: Path) -> "Suite":
        spec = json.loads(path.read_text(encoding="utf-8"))
        meta = spec.get("meta", {})
        return cls(
            name=spec["name"],
            table=meta["table"],
            asset_key=tuple(meta["asset_key"]),
            description=meta.get("description", ""),
            sample_columns=tuple(meta.get("sample_columns", ())),
            spec=spec,
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


def all_suites() -> list[Suite]:
    return [Suite.load(path) for path in sorted(EXPECTATIONS_DIR.glob("*.json"))]


@lru_cache(maxsize=1)
def suite_parameters() -> dict:
    variables = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))["vars"]
    seeds = DBT_PROJECT_DIR / "seeds"
    with open(seeds / "province_alias.csv", encoding="utf-8") as handle:
        provinces = sorted({re.sub(r"\s+", "", row["alias"]) for row in csv.DictReader(handle)})
    with open(seeds / "region_group_alias.csv", encoding="utf-8") as handle:
        groups = sorted({re.sub(r"\s+", "", row["alias"]) for row in csv.DictReader(handle)})
    with open(seeds / "unit_conversion.csv", encoding="utf-8") as handle:
        units = sorted({row["unit"] for row in csv.DictReader(handle)})
    return {
        "known_province_labels": provinces,
        "known_region_labels": sorted(set(provinces) | set(groups)),
        "known_units": units,
        "latest_plausible_year": date.today().year,
        "min_manufacturing_coverage": float(variables["min_manufacturing_coverage"]),
        "max_manufacturing_coverage": float(variables["max_manufacturing_coverage"]),
    }


@lru_cache(maxsize=1)
def _gx_datasource():
    """One ephemeral GE context and pandas datasource for the whole run: creating a context per
    suite cost ~0.1 s each and wrote a temporary docs site every time."""
    import great_expectations as gx

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = {"globally": False, "metric_calculations": False}
    return gx, context.data_sources.add_pandas("warehouse")


def validate(suite: Suite, frame: pd.DataFrame) -> list[dict]:
    """One result per expectation: what it checked, its severity, and failing-row samples."""
    gx, datasource = _gx_datasource()
    asset = next((a for a in datasource.assets if a.name == suite.name), None) or \
        datasource.add_dataframe_asset(suite.name)
    definition = next((d for d in asset.batch_definitions if d.name == "whole_table"), None) or \
        asset.add_batch_definition_whole_dataframe("whole_table")
    batch = definition.get_batch(batch_parameters={"dataframe": frame})
    expectations = suite.spec["expectations"]
    gx_suite = gx.ExpectationSuite(name=suite.name, expectations=[
        {"type": e["type"], "kwargs": e["kwargs"], "meta": e.get("meta", {})} for e in expectations
    ])
    outcome = batch.validate(gx_suite, expectation_parameters=suite_parameters(),
                             result_format={"result_format": "COMPLETE"})
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
                "severity": (config.meta or {}).get("severity", "error"),
                "why": (config.meta or {}).get("why", ""),
                "success": bool(result.success),
                "unexpected_count": details.get("unexpected_count", 0 if result.success else None),
                "element_count": details.get("element_count", len(frame)),
                "sample": json.loads(sample.to_json(orient="records", force_ascii=False, date_format="iso")),
                "exception": (result.exception_info or {}).get("exception_message")
                if isinstance(result.exception_info, dict) else None,
            }
        )
    return results
