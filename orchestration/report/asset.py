"""The comparison reports as a Dagster asset, made from each new publication."""

import dagster as dg

from ..resources import WarehouseResource
from ..settings import comparison_pairs
from . import DEFAULT_INDICATOR, write_report
from .sections import ReportError

REPORT_DIR_NAME = "comparison-reports"


@dg.asset(
    key=["published", "comparison_reports"],
    group_name="published",
    kinds={"html", "excel"},
    deps=[dg.AssetKey(["published", "marts_file"])],
    description="The comparison report of each pair of region groups in REPORT_PAIRS (default yrd vs jjj, "
    "2005–2014): one self-contained HTML file (opens offline) and an XLSX workbook with the same tables, in "
    "WAREHOUSE_DIR/comparison-reports, read from the published file after each publication. Nine sections: "
    "output and growth, factor intensity, relative and bilateral specialization, LQs, high-tech, concentration, "
    "shift-share, coverage and caveats. Any other pair: make report A= B= FROM= TO=.",
)
def comparison_reports(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    settings = warehouse.settings
    out_dir = settings.warehouse_dir / REPORT_DIR_NAME
    metadata: dict[str, dg.MetadataValue] = {}
    written = []
    for pair in comparison_pairs():
        if pair.a == pair.b:
            continue  # a span set alone, nothing to compare
        try:
            files = write_report(settings.published_db, pair, DEFAULT_INDICATOR, out_dir)
        except ReportError as exc:
            raise dg.Failure(description=f"Comparison report {pair.a} vs {pair.b} not written: {exc}") from None
        label = f"{pair.a}_vs_{pair.b}_{pair.year_from}_{pair.year_to}"
        metadata[f"{label}_html"] = dg.MetadataValue.url(files.html.resolve().as_uri())
        metadata[f"{label}_xlsx"] = dg.MetadataValue.path(str(files.workbook))
        metadata[f"{label}_summary"] = dg.MetadataValue.md(files.summary)
        written.append(f"- [{label}]({files.html.resolve().as_uri()}) · {files.workbook}")
        context.log.info(f"Wrote {files.html} and {files.workbook}")
    metadata["reports"] = dg.MetadataValue.md("\n".join(written) or "no pairs in REPORT_PAIRS")
    return dg.MaterializeResult(metadata=metadata)
