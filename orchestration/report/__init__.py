"""The comparison report of two region groups (`make report`, the comparison_reports asset)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..settings import ComparisonPair

DEFAULT_INDICATOR = "main_business_revenue"


@dataclass(frozen=True)
class ReportFiles:
    html: Path
    workbook: Path
    summary: str = ""  # the headline numbers, as Markdown, for the asset's page in the UI
    computed: str = ""  # a pair not pre-built in the publication: how it was computed


def report_stem(pair: ComparisonPair, indicator: str) -> str:
    return f"{pair.a}_vs_{pair.b}_{pair.year_from}_{pair.year_to}_{indicator}"


def write_report(published_db: Path, pair: ComparisonPair, indicator: str, out_dir: Path) -> ReportFiles:
    """Read the published file (read-only) and write the HTML report and its workbook. A pair the
    refresh did not pre-build is computed first, by the dbt models' SQL, beside the file
    (orchestration/report/pair_compute.py)."""
    from ..published_connection import confine, open_published
    from .pair_compute import open_for_report
    from .render import summary_markdown, write_html, write_workbook
    from .sections import ReportError, collect

    if not published_db.exists():
        raise ReportError(f"no published warehouse at {published_db}; run `make run` first")
    scratch, computed = open_for_report(published_db, pair)
    if scratch is None:  # the pair is published: read it through the confined connection
        with open_published(published_db) as con:
            data = collect(con, pair, indicator)
    else:
        with scratch:
            confine(scratch)  # the pair is computed; from here on the report reads nothing else
            data = collect(scratch, pair, indicator)
    data.computed = computed or ""
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = report_stem(pair, indicator)
    # written beside, then renamed: a reader never opens a half-written report
    html_tmp, xlsx_tmp = out_dir / f".{stem}.html.tmp", out_dir / f".{stem}.xlsx.tmp"
    write_html(data, html_tmp)
    write_workbook(data, xlsx_tmp)
    html, workbook = out_dir / f"{stem}.html", out_dir / f"{stem}.xlsx"
    html_tmp.replace(html)
    xlsx_tmp.replace(workbook)
    return ReportFiles(html, workbook, summary_markdown(data), computed)
