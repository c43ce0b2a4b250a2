"""The validation report of a run: one HTML page per run in WAREHOUSE_DIR/reports/<run id>/.

Each check writes its results as JSON beside the page and rewrites the page, so a run that fails
half-way still leaves a report of what was checked and what failed.
"""

from __future__ import annotations

import html
import json
from datetime import UTC, datetime
from pathlib import Path


def run_report_dir(warehouse_dir: Path, run_id: str) -> Path:
    path = warehouse_dir / "reports" / run_id
    path.mkdir(parents=True, exist_ok=True)
    return path


def page_path(warehouse_dir: Path, run_id: str) -> Path:
    return warehouse_dir / "reports" / run_id / "index.html"


def _status(result: dict) -> str:
    return "ok" if result["success"] else ("fail" if result["severity"] == "error" else "warn")


def _failed_first(result: dict) -> int:
    return {"fail": 0, "warn": 1, "ok": 2}[_status(result)]


def record_timing(warehouse_dir: Path, run_id: str, timing: dict) -> None:
    """Timings of the run's stages beside its report (read by `make bench` and the CLI)."""
    path = run_report_dir(warehouse_dir, run_id) / "_timings.json"
    current = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    path.write_text(json.dumps({**current, **timing}), encoding="utf-8")


def count_text(result: dict) -> str:
    """Failing rows with their denominator: '11 of 5230 rows', '1 header cell (11 value cells
    below)'; a count whose denominator is unknown stands alone, never 'of None'."""
    n = result.get("unexpected_count")
    if n is None:
        return "—" if result["success"] else "not counted"
    if result.get("value_cells") is not None:
        return f"{n} header cell{'s' if n != 1 else ''} ({result['value_cells']} value cells below)"
    total = result.get("element_count")
    if total is None:
        return str(n)
    return f"{n} of {total} {result.get('element_label', 'rows')}"


def broken_rules(result: dict) -> int:
    """How many rules a failed result stands for: one, or those of a dbt column_rules test that broke."""
    return result.get("broken_rules", 1)


def sections(directory: Path) -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(directory.glob("[!_]*.json"))]


def markdown_summary(warehouse_dir: Path, run_id: str, limit: int = 40) -> str:
    """The run's blocking failures, then its warnings, as Markdown the Dagster UI renders."""
    directory = warehouse_dir / "reports" / run_id
    rows = []
    for section in sections(directory):
        for r in section.get("results", []):
            if not r["success"]:
                rows.append((_failed_first(r), section["title"], r))
    rows.sort(key=lambda item: item[0])
    failed = sum(broken_rules(r) for rank, _, r in rows if rank == 0)
    warned = sum(broken_rules(r) for rank, _, r in rows if rank != 0)
    lines = [
        f"**{failed} blocking failures, {warned} warnings** (full report: `{page_path(warehouse_dir, run_id)}`)",
        "",
        "| status | table / suite | rule | column | rows | first rows |",
        "|---|---|---|---|---|---|",
    ]
    for rank, title, r in rows[:limit]:
        problems = [row["problem"] for row in r["sample"][:3] if row.get("problem")]
        rows_text = (", ".join(f"{k}={v}" for k, v in row.items() if v is not None) for row in r["sample"][:2])
        sample = "; ".join(problems or rows_text)
        lines.append(
            f"| {'BLOCKS' if rank == 0 else 'warning'} | {title} | {r['expectation']} | {r['column']} | "
            f"{count_text(r)} | {sample.replace('|', '/')[:400]} |"
        )
    return "\n".join(lines)


def record(warehouse_dir: Path, run_id: str, section: str, payload: dict) -> Path:
    """Save one section's results for the run and rewrite the run's page; returns the page."""
    directory = run_report_dir(warehouse_dir, run_id)
    (directory / f"{section}.json").write_text(
        json.dumps(payload, ensure_ascii=False, indent=1, default=str), encoding="utf-8"
    )
    return write_page(directory, run_id)


def _shortened(text: str, limit: int = 300) -> str:
    """A rule's arguments as the page shows them: a set of hundreds of accepted values would make one
    row thousands of pixels tall; the suite file holds them whole."""
    return text if len(text) <= limit else text[:limit] + " …"


def write_page(directory: Path, run_id: str) -> Path:
    found = sections(directory)
    # Sections with a blocking failure first, then those with warnings; within each, failures first.
    for section in found:
        section["results"] = sorted(section.get("results", []), key=_failed_first)
    found.sort(key=lambda s: min([_failed_first(r) for r in s["results"]] or [2]))
    # rules, not Dagster's asset checks: one suite, or one dbt column_rules test, holds several rules
    results = [r for s in found for r in s.get("results", [])]
    failed_errors = sum(broken_rules(r) for r in results if not r["success"] and r["severity"] == "error")
    failed_warns = sum(broken_rules(r) for r in results if not r["success"] and r["severity"] != "error")
    n_rules = sum(r.get("rules", 1) for r in results)
    parts = [
        "<!doctype html><meta charset='utf-8'><title>Validation report</title>",
        "<style>body{font-family:sans-serif;margin:2em;max-width:1200px}"
        "table{border-collapse:collapse;margin:.5em 0 1.5em}"
        "td,th{border:1px solid #ccc;padding:3px 6px;font-size:13px;text-align:left;vertical-align:top;"
        "max-width:32em;overflow-wrap:anywhere}"
        ".fail{background:#fde2e1}.warn{background:#fff4d6}.ok{background:#e6f4ea}code{font-size:12px}</style>",
        f"<h1>Validation report</h1><p>Run <code>{html.escape(run_id)}</code>, written "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC. "
        f"<b>{failed_errors}</b> blocking failures and <b>{failed_warns}</b> warnings among the {n_rules} rules "
        f"of the {len(found)} section{'' if len(found) == 1 else 's'} below.</p>",
    ]
    for section in found:
        parts.append(f"<h2>{html.escape(section['title'])}</h2><p>{html.escape(section.get('description', ''))}</p>")
        if section.get("message"):
            parts.append(f"<p class='fail'>{html.escape(section['message'])}</p>")
        results = section.get("results", [])
        if results:
            parts.append(
                "<table><tr><th>status</th><th>expectation</th><th>column</th><th>arguments</th>"
                "<th>unexpected</th><th>why</th><th>sample of failing rows</th></tr>"
            )
            for r in results:
                status = _status(r)
                label = {"ok": "passed", "fail": "FAILED (blocks)", "warn": "warning"}[status]
                sample = "<br>".join(html.escape(json.dumps(row, ensure_ascii=False)) for row in r.get("sample", []))
                arguments = _shortened(json.dumps(r["kwargs"], ensure_ascii=False, default=str))
                parts.append(
                    f"<tr class='{status}'><td>{label}</td><td>{html.escape(r['expectation'])}</td>"
                    f"<td>{html.escape(str(r['column']))}</td>"
                    f"<td><code>{html.escape(arguments)}</code></td>"
                    f"<td>{html.escape(count_text(r))}</td>"
                    f"<td>{html.escape(r.get('why', '') or r.get('message') or '')}</td>"
                    f"<td><code>{sample}</code></td></tr>"
                )
            parts.append("</table>")
        for row in section.get("rows", []):
            parts.append(f"<p><code>{html.escape(json.dumps(row, ensure_ascii=False, default=str))}</code></p>")
    page = directory / "index.html"
    page.write_text("\n".join(parts), encoding="utf-8")
    return page
