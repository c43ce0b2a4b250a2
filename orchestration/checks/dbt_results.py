"""dbt test outcomes in the validation report's shape, with the failing rows of each failed test.

A failed test's rows come from running its compiled query again, limited to a sample, against the
build database once dbt has exited, so every failing test names its rows (file and cell where the
test selects them), not only those that store their failures.
"""

from __future__ import annotations

import json

from ..settings import DBT_PROJECT_DIR
from .labels import with_names

SAMPLE_ROWS = 5


def _test_nodes() -> dict[str, dict]:
    manifest = json.loads((DBT_PROJECT_DIR / "target" / "manifest.json").read_text(encoding="utf-8"))
    return {uid: node for uid, node in manifest["nodes"].items() if node["resource_type"] == "test"}


def dbt_test_results(run_results: dict, warehouse) -> list[dict]:
    nodes = _test_nodes()
    results = []
    failing = []
    for entry in run_results.get("results", []):
        node = nodes.get(entry["unique_id"])
        if node is None or entry["status"] == "skipped":
            continue  # not run: a model it tests was not built (its own failure is listed)
        meta = node.get("test_metadata") or {}
        kwargs = {k: v for k, v in (meta.get("kwargs") or {}).items() if k not in ("model", "column_name")}
        status = entry["status"]
        result = {
            "expectation": node["name"],
            "column": (meta.get("kwargs") or {}).get("column_name") or "",
            "kwargs": kwargs,
            "severity": "error" if node["config"].get("severity", "ERROR").upper() == "ERROR" else "warn",
            "why": (node.get("description") or "").strip(),
            "success": status == "pass",
            "unexpected_count": entry.get("failures"),
            "element_count": None,
            "sample": [],
            "message": entry.get("message"),
            "source": "dbt test",
        }
        if status in ("fail", "warn", "error"):
            failing.append((result, entry.get("compiled_code")))
        results.append(result)
    if failing:
        with warehouse.connect_build(read_only=True) as con:
            for result, sql in failing:
                if not sql:
                    continue
                try:
                    frame = con.execute(f"select * from ({sql}) as failing order by all limit 1000").df()
                    if "source_cell" in frame.columns:  # C2 before C10: in the order of the sheet
                        keys = [
                            c for c in ("source_file", "_length", "source_cell") if c in frame.columns or c == "_length"
                        ]
                        frame = (
                            frame.assign(_length=frame["source_cell"].str.len())
                            .sort_values(keys)
                            .drop(columns="_length")
                        )
                    frame = frame.head(SAMPLE_ROWS)
                except Exception as exc:  # a test that errored has no rows to show
                    result["message"] = f"{result['message'] or ''} ({type(exc).__name__}: {exc})".strip()
                    continue
                result["sample"] = json.loads(
                    with_names(frame).to_json(orient="records", force_ascii=False, date_format="iso")
                )
    return results


def explain_failed_tests(results: list[dict]) -> tuple[str, str]:
    """A plain-text sentence per failed blocking test with its first rows, and a Markdown table."""
    failed = [r for r in results if not r["success"] and r["severity"] == "error"]
    if not failed:
        return "dbt itself failed (no test failed): see the step's logs.", "none"
    lines, table = [], ["| test | failing rows | first rows |", "|---|---|---|"]
    for r in failed:
        rows = "; ".join(", ".join(f"{k}={v}" for k, v in row.items() if v is not None) for row in r["sample"][:3])
        lines.append(
            f"dbt test {r['expectation']} failed for {r['unexpected_count']} rows"
            + (f", e.g. {rows}" if rows else "")
            + "."
        )
        table.append(f"| {r['expectation']} | {r['unexpected_count']} | {rows.replace('|', '/')} |")
    return "\n".join(lines), "\n".join(table)
