"""dbt's manifest as the registry of the published tables and their columns.

What the warehouse knows about a published column is written once, in the marts' YAML
(dbt_project/models/marts/<domain>/_<domain>.yml): its description, and under `config: meta:`

- `label_zh`, `label_en`: its header in the comparison report and its workbook;
- `unit`: what a number is measured in, which also sets how the report shows it: `share` (a
  fraction of a whole, shown in %), `rate` (a growth rate a year, in %), `growth` (growth over a
  whole span, in %), `index` (to three decimals),
  `indicator` (the unit of the row's indicator: 亿元, persons), `year`, `count`;
- `range: [min, max]`: the bounds docs/metric-reference.md gives the metric, without those that
  depend on n (null: unbounded), with `range_open` (the ends it never reaches) and
  `range_tolerance` ({min: …, max: …}: the rounding a closed end allows) — the blocking Great
  Expectations range check of the column, generated into its table's suite
  (orchestration/checks/suites.py); `range_why`, if given, is that check's explanation;
- `null_means`: what a null in the column means;
- `group_mean: true`: mart_group_index_mean averages the index over each universe's members (the
  macro group_mean_columns reads the same flag from dbt's graph).

`dbt parse` writes them to target/manifest.json, where this module reads them. A label or unit is
given once, on the column's home model (the dimension, fact or metric mart that defines it), and
holds for the column of that name in every published model. A name labelled differently in two
models (national_share: a share of the nation in mart_group_total, the shift-share component in
mart_shift_share) has no label by name: whoever shows it says which model it read it from.
"""

from __future__ import annotations

import json
from functools import lru_cache

from .core.paths import DBT_PROJECT_DIR

MANIFEST = DBT_PROJECT_DIR / "target" / "manifest.json"
LABEL_KEYS = ("label_zh", "label_en")
DESCRIBING_KEYS = (*LABEL_KEYS, "unit")


class AmbiguousColumn(KeyError):
    """A column name that two published models describe differently."""


def dbt_manifest() -> dict:
    """dbt's manifest (target/manifest.json, written by `dbt parse`): the registry of every model,
    its description and its columns' descriptions and meta."""
    return json.loads(MANIFEST.read_text(encoding="utf-8"))


def published_nodes(manifest: dict) -> list[dict]:
    """The published tables: every dbt model in models/marts."""
    return [
        node for node in manifest["nodes"].values() if node["resource_type"] == "model" and node["fqn"][1] == "marts"
    ]


def column_meta(column: dict) -> dict:
    """A column's meta, written as `config: meta:` (dbt 1.10+) or, older, as `meta:`."""
    return {**(column.get("meta") or {}), **((column.get("config") or {}).get("meta") or {})}


@lru_cache(maxsize=1)
def _published() -> dict[str, tuple[str, dict[str, dict]]]:
    """Published model -> (its YAML file, column -> meta), read once per process."""
    return {
        node["name"]: (
            "dbt_project/" + (node.get("patch_path") or node["original_file_path"]).split("://")[-1],
            {name: column_meta(column) for name, column in node["columns"].items()},
        )
        for node in published_nodes(dbt_manifest())
    }


@lru_cache(maxsize=1)
def published_column_meta() -> dict[str, dict[str, dict]]:
    """Published model -> column -> its meta, every documented column in YAML order."""
    return {model: columns for model, (_, columns) in _published().items()}


def model_yaml(model: str) -> str:
    """The YAML file of a published model (where its columns' meta is changed), from the repository root."""
    return _published()[model][0]


@lru_cache(maxsize=1)
def _described_by_name() -> dict[str, dict | AmbiguousColumn]:
    found: dict[str, dict[tuple, list[str]]] = {}
    for model, columns in published_column_meta().items():
        for name, meta in columns.items():
            described = tuple((key, meta[key]) for key in DESCRIBING_KEYS if key in meta)
            if described:
                found.setdefault(name, {}).setdefault(described, []).append(model)
    by_name: dict[str, dict | AmbiguousColumn] = {}
    for name, variants in found.items():
        if len(variants) == 1:
            by_name[name] = dict(next(iter(variants)))
        else:
            models = "; ".join(f"{', '.join(ms)}: {dict(d)}" for d, ms in variants.items())
            by_name[name] = AmbiguousColumn(
                f"column {name} is described differently in published models ({models}): say which "
                "model it is read from"
            )
    return by_name


def described(name: str, model: str | None = None) -> dict:
    """The labels and unit of a published column: of that model's column if a model is named, else
    of the column of that name wherever it is described ({} when nowhere). Raises AmbiguousColumn
    for a name two models describe differently and no model named."""
    if model is not None:
        meta = published_column_meta()[model][name]
        return {key: meta[key] for key in DESCRIBING_KEYS if key in meta}
    found = _described_by_name().get(name, {})
    if isinstance(found, AmbiguousColumn):
        raise found
    return found


def column_label(name: str, model: str | None = None) -> tuple[str, str] | None:
    """(中文, English) of a published column, or None if the YAML gives it no label."""
    meta = described(name, model)
    return (meta["label_zh"], meta["label_en"]) if "label_zh" in meta else None


def column_unit(name: str, model: str | None = None) -> str | None:
    return described(name, model).get("unit")


def group_mean_columns(model: str) -> list[str]:
    """The columns of a model flagged `group_mean: true`, in YAML order: the indices
    mart_group_index_mean averages (its macro group_mean_columns reads the same flag)."""
    return [name for name, meta in published_column_meta()[model].items() if meta.get("group_mean")]


def ranged_columns(model: str) -> dict[str, dict]:
    """Column -> its meta, for the columns of a model with a `range`."""
    return {name: meta for name, meta in published_column_meta().get(model, {}).items() if "range" in meta}
