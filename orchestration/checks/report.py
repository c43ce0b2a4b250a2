"""The validation report of a run: one HTML page per run in WAREHOUSE_DIR/reports/<run id>/.

Each check writes its results as JSON beside the page and rewrites the page, so a run that fails
half-way still leaves a report of what was checked and what failed.
"""

from __future__ import annotations

import html
import json
from datetime import datetime, timezone
from pathlib import Path


def run_report_dir(warehouse_dir: Path, run_id: str) -> Path:
    path = warehouse_dir / "reports" / run_id
    path.mkdir(parents=True, exist_ok=True)
    return path


def record(warehouse_dir: Path, run_id: str, section: str, payload: dict) -> Path:
    """Save one section's results for the run and rewrite the run's page; returns the page."""
    directory = run_report_dir(warehouse_dir, run_id)
    (directory / f"{section}.json").write_text(json.dumps(payload, ensure_ascii=False, indent=1, default=str),
                                               encoding="utf-8")
    return write_page(directory, run_id)


def write_page(directory: Path, run_id: str) -> Path:
    sections = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(directory.glob("*.json"))]
    failed_errors = sum(1 for s in sections for r in s.get("results", []) if not r["success"] and r["severity"] == "error")
    failed_warns = sum(1 for s in sections for r in s.get("results", []) if not r["success"] and r["severity"] != "error")
    parts = [
        "<!doctype html><meta charset='utf-8'><title>Validation report</title>",
        "<style>body{font-family:sans-serif;margin:2em;max-width:1200px}table{border-collapse:collapse;margin:.5em 0 1.5em}"
        "td,th{border:1px solid #ccc;padding:3px 6px;font-size:13px;text-align:left;vertical-align:top}"
        ".fail{background:#fde2e1}.warn{background:#fff4d6}.ok{background:#e6f4ea}code{font-size:12px}</style>",
        f"<h1>Validation report</h1><p>Run <code>{html.escape(run_id)}</code>, written "
        f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M:%S} UTC. "
        f"<b>{failed_errors}</b> blocking failures, <b>{failed_warns}</b> warnings across {len(sections)} checks.</p>",
    ]
    for section in sections:
        parts.append(f"<h2>{html.escape(section['title'])}</h2><p>{html.escape(section.get('description', ''))}</p>")
        if section.get("message"):
            parts.append(f"<p class='fail'>{html.escape(section['message'])}</p>")
        results = section.get("results", [])
        if results:
            parts.append("<table><tr><th>status</th><th>expectation</th><th>column</th><th>arguments</th>"
                         "<th>unexpected</th><th>why</th><th>sample of failing rows</th></tr>")
            for r in results:
                status = "ok" if r["success"] else ("fail" if r["severity"] == "error" else "warn")
                label = {"ok": "passed", "fail": "FAILED (blocks)", "warn": "warning"}[status]
                sample = "<br>".join(html.escape(json.dumps(row, ensure_ascii=False)) for row in r.get("sample", []))
                parts.append(
                    f"<tr class='{status}'><td>{label}</td><td>{html.escape(r['expectation'])}</td>"
                    f"<td>{html.escape(str(r['column']))}</td><td><code>{html.escape(json.dumps(r['kwargs'], ensure_ascii=False, default=str))}</code></td>"
                    f"<td>{r.get('unexpected_count')} of {r.get('element_count')}</td><td>{html.escape(r.get('why', ''))}</td>"
                    f"<td><code>{sample}</code></td></tr>"
                )
            parts.append("</table>")
        for row in section.get("rows", []):
            parts.append(f"<p><code>{html.escape(json.dumps(row, ensure_ascii=False, default=str))}</code></p>")
    page = directory / "index.html"
    page.write_text("\n".join(parts), encoding="utf-8")
    return page
