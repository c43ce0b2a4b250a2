"""The ten sections of the comparison report, each read from the published marts by SQL.

Nothing here computes a metric: every number is a published value, selected, pivoted or averaged
across rows for a chart (the average locational Gini of a year is the mean of the published
per-division values). The trend fits (section 1's growth trend, section 7's quadratic) are
descriptions of the published series, fitted by orchestration.statistics with their uncertainty.

Every sentence that states a count, a set, a year or a direction is a Claim: its text is made from
the rows of one query, and the query travels with it to the workbook's caveats sheet. A universe-
or group-year that lacks a member is incomplete: marked in every chart and table, and left out of
fits and growth rates unless asked for (the claims say how many and why).
"""

from __future__ import annotations

import json

from ...settings import ComparisonPair, built_from_samples
from .coverage import caveats
from .hightech_revenue import hightech
from .industry_concentration import concentration
from .intensity import intensity_shares
from .io_integration import integration
from .location_quotient import location_quotients
from .lookups import indicator_unit
from .output import output_levels
from .shapes import INCOMPLETE_LEGEND, INCOMPLETE_MARK, Chart, Claim, ReportData, ReportError, Section, unit_label
from .shift_share_components import shift_share
from .specialization_bilateral import bilateral
from .specialization_relative import relative_specialization

__all__ = [
    "INCOMPLETE_LEGEND",
    "INCOMPLETE_MARK",
    "Chart",
    "Claim",
    "ReportData",
    "ReportError",
    "Section",
    "caveats",
    "collect",
    "published_pairs",
    "unit_label",
]


def _check(con, pair: ComparisonPair, indicator: str) -> None:
    groups = {r[0] for r in con.execute("select group_code from dim_region_group").fetchall()}
    for code in (pair.a, pair.b):
        if code not in groups:
            raise ReportError(f"region group {code!r} is not published (dim_region_group): check A/B or REPORT_PAIRS")
    sets = {
        r[0]
        for r in con.execute(
            "select distinct industry_set from mart_location_quotient_by_set where universe_code = ?",
            [pair.union_code],
        ).fetchall()
    }
    if pair.pair_set not in sets:
        raise ReportError(
            f"the industry sets of {pair.a}:{pair.b}:{pair.year_from}:{pair.year_to} are not published: add "
            f"'{pair.a}:{pair.b}:{pair.year_from}:{pair.year_to}' to REPORT_PAIRS and run `make run` "
            f"(published pairs: {', '.join(sorted(published_pairs(con))) or 'none'})"
        )
    indicators = {r[0] for r in con.execute("select distinct indicator from fct_industry_indicator").fetchall()}
    if indicator not in indicators:
        raise ReportError(f"INDICATOR={indicator!r} is not published; one of {', '.join(sorted(indicators))}")


def published_pairs(con) -> set[str]:
    """The comparison pairs whose industry sets the published file holds, as a:b:from:to."""
    # the union a+b carries each pair's set; group codes may hold underscores, so split on '+'
    rows = con.execute(
        "select distinct universe_code, industry_set from mart_location_quotient_by_set "
        "where industry_set like 'pair_%' and universe_code like '%+%'"
    ).fetchall()
    return {":".join([*universe.split("+", 1), *industry_set.rsplit("_", 2)[1:]]) for universe, industry_set in rows}


# the sections in the report's order
SECTIONS = (
    output_levels,
    intensity_shares,
    relative_specialization,
    bilateral,
    location_quotients,
    hightech,
    concentration,
    shift_share,
    caveats,
    integration,
)


def collect(con, pair: ComparisonPair, indicator: str) -> ReportData:
    _check(con, pair, indicator)
    names = {
        r[0]: (r[1], r[2])
        for r in con.execute(
            "select group_code, name_zh, name_en from dim_region_group where group_code in (?, ?, ?)",
            [pair.a, pair.b, pair.union_code],
        ).fetchall()
    }
    # the latest publication: its time and its manifest (where it was built from)
    latest = "select published_at, manifest from publication_manifest order by published_at desc limit 1"
    row = con.execute(latest).fetchone()
    published, manifest = (row[0], json.loads(row[1])) if row else (None, {})
    return ReportData(
        pair=pair,
        indicator=indicator,
        names=names,
        sections=[section(con, pair, indicator) for section in SECTIONS],
        # the publication's time as publish records it (UTC), to the second
        published_at=f"{published:%Y-%m-%d %H:%M:%S} UTC" if published is not None else "unknown",
        unit=indicator_unit(con, indicator),
        raw_dir=manifest.get("raw_dir") or "",
        from_samples=built_from_samples(manifest),
    )
