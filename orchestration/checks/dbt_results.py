"""dbt test outcomes in the validation report's shape, with the failing rows of each failed test.

A failed test's rows come from running its compiled query again, limited to a sample, against the
build database once dbt has exited, so every failing test names its rows (file and cell where the
test selects them), not only those that store their failures.
"""

from __future__ import annotations

import json

from ..settings import DBT_PROJECT_DIR
from .labels import with_names
from .report import count_text

SAMPLE_ROWS = 5
FETCHED_ROWS = 1000  # a failed test's rows read to pick the sample from


def _manifest() -> dict:
    return json.loads((DBT_PROJECT_DIR / "target" / "manifest.json").read_text(encoding="utf-8"))


def _unit_test_result(node: dict, entry: dict) -> dict:
    """A dbt unit test (given rows in, expected rows out, beside the model's YAML): its outcome and
    dbt's message, which for a failure is the diff of actual against expected rows."""
    return {
        "expectation": f"{node['name']} (unit test of {node['model']})",
        "column": "",
        "kwargs": {},
        "severity": "error",
        "why": (node.get("description") or "").strip(),
        "success": entry["status"] == "pass",
        "unexpected_count": entry.get("failures"),
        "element_count": None,
        "sample": [],
        "message": entry.get("message"),
        "source": "dbt unit test",
    }


def _tested_model(node: dict, nodes: dict[str, dict]) -> dict | None:
    """The model a test checks: the one it is attached to, or the only model a singular test reads."""
    attached = node.get("attached_node")
    if attached in nodes:
        return nodes[attached]
    # a singular test reading several models names the one it checks (the meta Dagster reads too)
    ref = ((node.get("config") or {}).get("meta") or {}).get("dagster", {}).get("ref", {}).get("name")
    if ref:
        return next((n for n in nodes.values() if n["resource_type"] == "model" and n["name"] == ref), None)
    models = [nodes[uid] for uid in node.get("depends_on", {}).get("nodes", []) if uid.startswith("model.")]
    return models[0] if len(models) == 1 else None


def dbt_test_results(run_results: dict, warehouse) -> list[dict]:
    manifest = _manifest()
    all_nodes = manifest["nodes"]
    nodes = {uid: node for uid, node in all_nodes.items() if node["resource_type"] == "test"}
    unit_tests = manifest.get("unit_tests", {})
    entries = run_results.get("results", [])
    # unit tests are not manifest nodes: the loop below passes them by
    results = [
        _unit_test_result(unit_tests[entry["unique_id"]], entry)
        for entry in entries
        if entry["unique_id"] in unit_tests and entry["status"] != "skipped"
    ]
    failing = []
    for entry in entries:
        node = nodes.get(entry["unique_id"])
        if node is None or entry["status"] == "skipped":
            continue  # not run: a model it tests was not built (its own failure is listed)
        result = _data_test_result(node, entry)
        if entry["status"] in ("fail", "warn", "error"):
            failing.append((result, entry.get("compiled_code"), _tested_model(node, all_nodes)))
        results.append(result)
    if failing:
        with warehouse.connect_build(read_only=True) as con:
            for result, sql, model in failing:
                _add_element_count(con, result, model)
                if sql:
                    _add_failing_sample(con, result, sql)
    return results


def column_rules(kwargs: dict) -> list[tuple[str, str]]:
    """The rules one column_rules test holds (dbt_project/macros/test_column_rules.sql), each as
    (column or columns, kind)."""
    rules = [(", ".join(kwargs["key"]), "key")] if kwargs.get("key") else []
    rules += [(column, "not null") for column in kwargs.get("not_null") or []]
    rules += [(column, "unique") for column in kwargs.get("unique") or []]
    return rules + [(column, "accepted values") for column in kwargs.get("accepted_values") or {}]


def rules_text(rules: list[tuple[str, str]]) -> str:
    """'key: a, b; not null: a, c; accepted values: flag', the columns of each kind together."""
    columns: dict[str, list[str]] = {}
    for column, kind in rules:
        columns.setdefault(kind, []).append(column)
    return "; ".join(f"{kind}: {', '.join(names)}" for kind, names in columns.items())


def _data_test_result(node: dict, entry: dict) -> dict:
    """A dbt data test (generic or singular): its outcome, its arguments and dbt's message; the
    failing rows are added later, for a test that failed. A column_rules test counts as the rules
    it holds, and says which they are."""
    meta = node.get("test_metadata") or {}
    kwargs = {k: v for k, v in (meta.get("kwargs") or {}).items() if k not in ("model", "column_name")}
    status = entry["status"]
    why = (node.get("description") or "").strip()
    rules = column_rules(kwargs) if meta.get("name") == "column_rules" else []
    if rules:
        why = why or rules_text(rules)
    return {
        "expectation": node["name"],
        "column": (meta.get("kwargs") or {}).get("column_name") or "",
        "kwargs": kwargs,
        "rules": len(rules) or 1,
        "severity": "error" if node["config"].get("severity", "ERROR").upper() == "ERROR" else "warn",
        "why": why,
        "success": status == "pass",
        "unexpected_count": entry.get("failures"),
        "element_count": None,
        "sample": [],
        "message": entry.get("message"),
        "source": "dbt test",
    }


def _add_element_count(con, result: dict, model: dict | None) -> None:
    """The denominator of a failed test: how many rows of its model it looked at."""
    if model is not None and model.get("relation_name"):
        try:
            relation = model["relation_name"]
            result["element_count"] = con.execute(f"select count(*) from {relation}").fetchone()[0]
            result["element_label"] = f"rows of {model['name']}"
            if result.get("rules", 1) > 1:  # a column_rules test sums its rules' rows
                result["element_label"] += " (a row counted once per rule it breaks)"
        except Exception:  # not built in this run: no denominator to give
            pass


def _add_failing_sample(con, result: dict, sql: str) -> None:
    """A failed test's first rows, from its compiled query run again; for a query that fails, the
    error joins the test's message instead."""
    try:
        frame = con.execute(f"select * from ({sql}) as failing order by all limit {FETCHED_ROWS}").df()
        result["failing_rows"] = len(frame)
        if len(frame) == FETCHED_ROWS:  # more than were fetched: count them
            result["failing_rows"] = con.execute(f"select count(*) from ({sql}) as failing").fetchone()[0]
        if {"rule", "column_name"} <= set(frame.columns):  # a column_rules test: which of its rules broke
            result["broken_rules"] = len(frame[["rule", "column_name"]].drop_duplicates())
        if "value_cells" in frame.columns:  # one row per header cell, for the cells below it
            result["value_cells"] = int(frame["value_cells"].sum())
        cell = next((c for c in ("label_cell", "source_cell") if c in frame.columns), None)
        if cell:  # C2 before C10: in the order of the sheet
            keys = [c for c in ("source_file", "_length", cell) if c in frame.columns or c == "_length"]
            frame = frame.assign(_length=frame[cell].str.len()).sort_values(keys).drop(columns="_length")
        frame = frame.head(SAMPLE_ROWS)
    except Exception as exc:  # a test that errored has no rows to show
        result["message"] = f"{result['message'] or ''} ({type(exc).__name__}: {exc})".strip()
        return
    result["sample"] = json.loads(with_names(frame).to_json(orient="records", force_ascii=False, date_format="iso"))


def explain_failed_tests(results: list[dict]) -> tuple[str, str]:
    """A plain-text sentence per failed blocking test with its first rows, and a Markdown table."""
    failed = [r for r in results if not r["success"] and r["severity"] == "error"]
    if not failed:
        return "dbt itself failed (no test failed): see the step's logs.", "none"
    lines, table = [], ["| test | failing rows | first rows |", "|---|---|---|"]
    for r in failed:
        if r["source"] == "dbt unit test":  # dbt's message is the diff of actual against expected
            message = (r.get("message") or "see the step logs").strip()
            lines.append(f"dbt {r['expectation']} failed: {message}")
            table.append(f"| {r['expectation']} | unit test | {' '.join(message.split()).replace('|', '/')} |")
            continue
        if r["unexpected_count"] is None:  # the test's query itself failed
            lines.append(f"dbt test {r['expectation']} could not run: {r.get('message') or 'see the step logs'}")
            table.append(f"| {r['expectation']} | could not run | {(r.get('message') or '').replace('|', '/')} |")
            continue
        count = count_text(r)
        problems = [row["problem"] for row in r["sample"][:3] if row.get("problem")]
        if problems:
            # rows that explain themselves (file, cell, label, the fix): their sentences, not their columns
            lines.append(f"dbt test {r['expectation']} failed for {count}:")
            lines.extend(f"- {p}" for p in problems)
            # the sentences shown are the first few: say how many more the test returned
            more = r.get("failing_rows", len(problems)) - len(problems)
            if more > 0:
                lines.append(f"- and {more} more like these (the test's failing rows)")
                problems.append(f"and {more} more")
            table.append(f"| {r['expectation']} | {count} | {'; '.join(problems).replace('|', '/')} |")
            continue
        rows = "; ".join(", ".join(f"{k}={v}" for k, v in row.items() if v is not None) for row in r["sample"][:3])
        lines.append(f"dbt test {r['expectation']} failed for {count}" + (f", e.g. {rows}" if rows else "") + ".")
        table.append(f"| {r['expectation']} | {count} | {rows.replace('|', '/')} |")
    return "\n".join(lines), "\n".join(table)
