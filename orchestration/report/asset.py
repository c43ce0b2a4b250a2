"""The comparison reports as a Dagster asset, made from each new publication, or for the pair chosen
in the Launchpad."""

import dagster as dg
from pydantic import Field

from ..publish_scope import PUBLISH_STEP_KEY, PUBLISHED_KEY
from ..resources import WarehouseResource
from ..settings import ComparisonPair, comparison_pairs
from . import DEFAULT_INDICATOR, write_report
from .sections import ReportError


class ComparisonReportConfig(dg.Config):
    """The pair to report. Left empty, each pair of REPORT_PAIRS (the pairs the refresh pre-builds); any other
    pair of published groups and span is computed from the published facts, without a rebuild."""

    a: str = Field(default="", description="First region group (dim_region_group.group_code), e.g. east")
    b: str = Field(default="", description="Second region group, e.g. central")
    year_from: int = Field(default=0, description="First year of the span, e.g. 2006")
    year_to: int = Field(default=0, description="Last year of the span, e.g. 2013")
    indicator: str = Field(default=DEFAULT_INDICATOR, description="Indicator (fct_industry_indicator.indicator)")


def pairs_to_report(config: ComparisonReportConfig) -> list[ComparisonPair]:
    chosen = (config.a, config.b, config.year_from, config.year_to)
    if not any(chosen):
        return [pair for pair in comparison_pairs() if pair.a != pair.b]  # a:a is a span set alone
    if not all(chosen):
        raise dg.Failure(
            description="Set all of a, b, year_from and year_to (e.g. east, central, 2006, 2013), or none of them "
            f"for the pairs of REPORT_PAIRS; got a={config.a!r}, b={config.b!r}, year_from={config.year_from}, "
            f"year_to={config.year_to}."
        )
    return [ComparisonPair(config.a, config.b, config.year_from, config.year_to)]


@dg.asset(
    key=["published", "comparison_reports"],
    group_name="published",
    kinds={"html", "excel"},
    # after the publish step (the published file is not a step of the run), from the file it published
    deps=[PUBLISH_STEP_KEY, PUBLISHED_KEY],
    description="The comparison report of each pair of region groups in REPORT_PAIRS (default yrd vs jjj, "
    "2005–2014), or of the pair set in the Launchpad (a, b, year_from, year_to, indicator): one self-contained "
    "HTML file (opens offline) and an XLSX workbook with the same tables, in WAREHOUSE_DIR/comparison-reports, "
    "read from the published file. A pair the refresh did not pre-build is computed from the published facts by "
    "the dbt models' SQL, without a rebuild. Ten sections: output and growth, factor intensity, relative and "
    "bilateral specialization, LQs, high-tech, concentration, shift-share, coverage and caveats, and integration "
    "from the input-output tables.",
)
def comparison_reports(
    context: dg.AssetExecutionContext, config: ComparisonReportConfig, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    settings = warehouse.settings
    out_dir = settings.comparison_reports_dir
    metadata: dict[str, dg.MetadataValue] = {}
    written = []
    for pair in pairs_to_report(config):
        try:
            files = write_report(settings.published_db, pair, config.indicator, out_dir)
        except ReportError as exc:
            raise dg.Failure(description=f"Comparison report {pair.a} vs {pair.b} not written: {exc}") from None
        label = f"{pair.a}_vs_{pair.b}_{pair.year_from}_{pair.year_to}"
        metadata[f"{label}_html"] = dg.MetadataValue.url(files.html.resolve().as_uri())
        metadata[f"{label}_xlsx"] = dg.MetadataValue.path(str(files.workbook))
        metadata[f"{label}_summary"] = dg.MetadataValue.md(files.summary)
        if files.computed:
            metadata[f"{label}_computed"] = dg.MetadataValue.text(files.computed)
            context.log.info(files.computed)
        written.append(f"- [{label}]({files.html.resolve().as_uri()}) · {files.workbook}")
        context.log.info(f"Wrote {files.html} and {files.workbook}")
    metadata["reports"] = dg.MetadataValue.md("\n".join(written) or "no pairs in REPORT_PAIRS")
    _prepare_other_pairs(context)
    return dg.MaterializeResult(metadata=metadata)


def _prepare_other_pairs(context: dg.AssetExecutionContext) -> None:
    """Compile the SQL a pair outside REPORT_PAIRS runs (once per version of the dbt project), so the first
    `make report` of such a pair does not wait for dbt compile."""
    from .pair_compute import load_plan

    try:
        load_plan()
    except ReportError as exc:  # the reports are written; another pair will compile (and say why) later
        context.log.warning(f"The SQL for report-time pairs was not compiled: {exc}")
