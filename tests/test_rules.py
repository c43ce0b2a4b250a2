"""Every data-quality rule lives in one place (README, "Where a rule goes"): keys, relationships,
identities, accepted values and not-null as dbt tests; ranges, formats, distributions and
plausibility as Great Expectations expectations. This lists every rule by the column it guards."""

from __future__ import annotations

import json
from collections import Counter

from orchestration.checks.suites import all_suites
from orchestration.settings import DBT_PROJECT_DIR

GE_KINDS = {
    "expect_column_values_to_be_between": "range",
    "expect_column_values_to_match_regex": "format",
    "expect_table_row_count_to_be_between": "row count",
    "expect_column_values_to_not_be_in_set": "plausibility",
}
DBT_KINDS = {
    "unique": "key",
    "unique_combination": "key",
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
