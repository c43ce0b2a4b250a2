"""Every data-quality rule lives in one place (docs/data-quality.md, "Where a rule goes"): keys, relationships,
identities, accepted values and not-null as dbt tests; ranges, formats, distributions and
plausibility as Great Expectations expectations. This lists every rule by the column it guards.
A metric's range is written once, as its column's `range` meta in the marts' YAML, and generated
into its table's suite."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from orchestration.checks.dbt_results import column_rules
from orchestration.checks.suites import EXPECTATIONS_DIR, RANGE, Suite, all_suites
from orchestration.dbt_registry import published_column_meta
from orchestration.settings import DBT_PROJECT_DIR, REPO_ROOT

GE_KINDS = {
    "expect_column_values_to_be_between": "range",
    "expect_column_values_to_match_regex": "format",
    "expect_table_row_count_to_be_between": "row count",
    "expect_column_values_to_not_be_in_set": "plausibility",
}
DBT_KINDS = {
    "unique": "key",
    "not_null": "not null",
    "accepted_values": "accepted values",
    "relationships": "relationship",
    "label_is_known": "relationship",
}


def ge_rules() -> list[tuple[str, str, str]]:
    rules = []
    for suite in all_suites():
        table = suite.table.split(".")[-1]
        for expectation in suite.spec["expectations"]:
            kind = GE_KINDS.get(expectation["type"], expectation["type"])
            rules.append((table, str(expectation["kwargs"].get("column") or "(table)"), kind))
    return rules


def dbt_rules() -> list[tuple[str, str, str]]:
    manifest = json.loads((DBT_PROJECT_DIR / "target" / "manifest.json").read_text(encoding="utf-8"))
    rules = []
    for node in manifest["nodes"].values():
        if node["resource_type"] != "test":
            continue
        metadata = node.get("test_metadata") or {}
        if not metadata:  # a singular test: an identity over whole tables, one file each
            rules.append((node["name"], "(identity)", "identity"))
            continue
        parents = node["depends_on"]["nodes"]
        attached = node.get("attached_node") or next((n for n in parents if n.startswith("source.")), parents[0])
        table = attached.split(".")[-1]
        if metadata["name"] == "column_rules":  # a table's folded rules: each one listed as its own
            kinds = {"unique": "key"}  # a unique column is a one-column key
            rules.extend((table, column, kinds.get(kind, kind)) for column, kind in column_rules(metadata["kwargs"]))
            continue
        columns = metadata["kwargs"].get("columns") or [node.get("column_name")]
        rules.append((table, ", ".join(columns), DBT_KINDS.get(metadata["name"], metadata["name"])))
    return rules


def test_each_rule_is_defined_once_and_where_it_belongs():
    ge, dbt = ge_rules(), dbt_rules()
    inventory = sorted([(*rule, "GE") for rule in ge] + [(*rule, "dbt") for rule in dbt])
    print("\n".join(f"{table:38} {column:50} {kind:16} {system}" for table, column, kind, system in inventory))
    # one definition per table, column and kind of rule, across both systems
    counts = Counter((table, column, kind) for table, column, kind, _ in inventory)
    assert [key for key, n in counts.items() if n > 1] == []
    # and each system holds only its kinds
    assert {kind for _, _, kind in ge} <= set(GE_KINDS.values())
    assert {kind for _, _, kind in dbt} <= set(DBT_KINDS.values()) | {"identity"}
    # no rule on a column in both systems that says the same thing in other words: a GE range on a
    # column whose values dbt already restricts to a list would be dead
    listed = {(table, column) for table, column, kind in dbt if kind == "accepted values"}
    assert not [rule for rule in ge if rule[2] == "range" and (rule[0], rule[1]) in listed]
    assert len(ge) > 60 and len(dbt) > 60


def test_every_numeric_mart_column_states_its_range_or_null_meaning():
    """A user reading duckdb_columns() learns of every published number what values it takes or
    when it is null (issue 10: formula, unit, range, null meaning)."""
    import re

    manifest = json.loads((DBT_PROJECT_DIR / "target" / "manifest.json").read_text(encoding="utf-8"))
    states = re.compile(r"null|\[|\(|≥|≤|>|<|range|between|any sign", re.IGNORECASE)
    silent = [
        (node["name"], column)
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["fqn"][1] == "marts"
        for column, spec in node["columns"].items()
        if spec.get("data_type") == "double" and not states.search(spec["description"])
    ]
    assert silent == []
    # a description in a YAML flow mapping is quoted where it has a comma: unquoted, YAML cuts it there
    for path in sorted((DBT_PROJECT_DIR / "models" / "marts").glob("*/_*.yml")):
        text = path.read_text(encoding="utf-8")
        cut = re.findall(r"- \{name: [^\n]*description: [^\"'\n][^,}\n]*,(?!\s*\w+:)", text)
        assert cut == [], path.name


def yaml_meta(model: str, column: str) -> dict:
    """A column's meta straight from the manifest, not through the registry the suites use."""
    manifest = json.loads((DBT_PROJECT_DIR / "target" / "manifest.json").read_text(encoding="utf-8"))
    node = next(n for n in manifest["nodes"].values() if n["resource_type"] == "model" and n["name"] == model)
    return node["columns"][column]["config"]["meta"]


def test_range_expectations_are_generated_from_the_yaml_meta():
    suites = {suite.name: suite for suite in all_suites()}
    ranges = {
        e["kwargs"]["column"]: e for e in suites["mart_region_structure"].spec["expectations"] if e["type"] == RANGE
    }
    meta = yaml_meta("mart_region_structure", "hachman")
    assert (meta["range"], meta["range_open"], meta["range_tolerance"]) == ([0, 1], ["min"], {"max": 1e-12})
    assert ranges["hachman"]["kwargs"] == {
        "column": "hachman",
        "min_value": 0,
        "max_value": 1.000000000001,
        "strict_min": True,
    }
    assert ranges["hachman"]["severity"] == "critical"
    assert ranges["shannon_entropy"]["kwargs"] == {"column": "shannon_entropy", "min_value": -1e-12}
    relative = {e["kwargs"]["column"]: e for e in suites["mart_specialization_relative"].spec["expectations"]}
    assert relative["krugman_vs_rest"]["kwargs"] == {"column": "krugman_vs_rest", "min_value": 0, "max_value": 2}
    assert relative["hoover_specialization"]["kwargs"]["strict_max"] is True
    # a threshold that is no metric's range stays in the suite file
    assert relative["coverage"]["kwargs"]["max_value"] == {"$PARAMETER": "max_manufacturing_coverage"}
    why = {e["kwargs"]["column"]: e for e in suites["mart_hightech_revenue"].spec["expectations"]}
    assert why["share_of_industry_revenue"]["meta"]["why"].startswith("high-tech firms are a subset")
    # every ranged column of a table with a suite is checked there, and only from the YAML
    for suite in suites.values():
        schema, table = suite.table.split(".")
        meta = published_column_meta().get(table, {}) if schema == "marts" else {}
        ranged = {c for c, m in meta.items() if "range" in m}
        checked = [e["kwargs"]["column"] for e in suite.spec["expectations"] if e["type"] == RANGE]
        assert ranged <= set(checked) and len(checked) == len(set(checked)), suite.name
        on_file = json.loads((REPO_ROOT / suite.origin).read_text(encoding="utf-8"))["expectations"]
        assert not [e for e in on_file if e["type"] == RANGE and e["kwargs"]["column"] in ranged], suite.name


def test_a_range_is_meta_only_where_a_suite_checks_it():
    """A range on a model no suite loads would be checked nowhere; a _by_set mart shares its
    columns (and meta) with the mart its suite checks."""
    suite_tables = {suite.table.split(".")[-1] for suite in all_suites()}
    unchecked = [
        (model, column)
        for model, columns in published_column_meta().items()
        for column, meta in columns.items()
        if "range" in meta and model not in suite_tables and model.removesuffix("_by_set") not in suite_tables
    ]
    assert unchecked == []


def test_a_range_in_both_the_yaml_and_the_suite_file_is_refused(tmp_path):
    spec = json.loads((EXPECTATIONS_DIR / "mart_region_structure.json").read_text(encoding="utf-8"))
    spec["expectations"].append(
        {"type": RANGE, "kwargs": {"column": "hachman", "min_value": 0, "max_value": 1}, "severity": "critical"}
    )
    path = tmp_path / "mart_region_structure.json"
    path.write_text(json.dumps(spec), encoding="utf-8")
    with pytest.raises(ValueError, match=r"hachman is the column's `range` meta in .*_metrics\.yml"):
        Suite.load(path)
