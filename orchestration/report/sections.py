"""The nine sections of the comparison report, each read from the published marts by SQL.

Nothing here computes a metric: every number is a published value, selected, pivoted or averaged
across rows for a chart (the average locational Gini of a year is the mean of the published
per-division values). The only model fitted here is the quadratic trend of section 7, a
description of the published series, not a metric of the warehouse.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..settings import ComparisonPair


@dataclass
class Chart:
    kind: str  # line, heatmap, stacked_bar, quadratic
    title: str
    data: pd.DataFrame
    options: dict = field(default_factory=dict)


@dataclass
class Section:
    number: int
    title_zh: str
    title_en: str
    context: dict[str, str]  # indicator, universe, industry set, coverage: stated on every section
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    charts: list[Chart] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # tables the HTML leaves to the workbook (long forms a chart or a pivot already shows)
    workbook_only: set[str] = field(default_factory=set)
    # header labels of this section's columns where a name means something else here
    labels: dict[str, tuple[str, str]] = field(default_factory=dict)


@dataclass
class ReportData:
    pair: ComparisonPair
    indicator: str
    names: dict[str, tuple[str, str]]  # group code -> (zh, en)
    sections: list[Section]
    published_at: str


class ReportError(ValueError):
    """The report cannot be made from the published file; the message says why and what to do."""


def _df(con, sql: str, params: list | None = None) -> pd.DataFrame:
    return con.execute(sql, params or []).df()


def _members(con, group: str) -> list[str]:
    rows = con.execute(
        "select province_code from dim_region_group_member where group_code = ? order by 1", [group]
    ).fetchall()
    return [r[0] for r in rows]


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


def _years(pair: ComparisonPair) -> list[int]:
    return list(range(pair.year_from, pair.year_to + 1))


def output_levels(con, pair: ComparisonPair, indicator: str) -> Section:
    f, t = pair.year_from, pair.year_to
    provinces = _df(
        con,
        """
        select s.group_code, s.province_code, p.name_short_zh, p.name_en,
            s0.value as value_from, s.value as value_to,
            s0.share_of_group as share_of_group_from, s.share_of_group as share_of_group_to,
            g.growth_rate, g.cagr, g.is_derived_total, g.series_breaks
        from mart_group_member_share as s
        join dim_province as p using (province_code)
        left join mart_group_member_share as s0
            on s0.group_code = s.group_code and s0.province_code = s.province_code
            and s0.industry_code = s.industry_code and s0.indicator = s.indicator and s0.year = ?
        left join mart_growth as g
            on g.province_code = s.province_code and g.industry_code = 'C' and g.indicator = s.indicator
            and g.base_year = ? and g.year = s.year
        where s.group_code in (?, ?) and s.industry_code = 'C' and s.indicator = ? and s.year = ?
        order by s.group_code = ? desc, s.province_code
        """,
        [f, f, pair.a, pair.b, indicator, t, pair.a],
    )
    totals = _df(
        con,
        """
        select t.group_code, t.year, t.group_total, t.n_members_present, t.n_members, t.is_complete,
            t.national_share, t.is_derived_total, t.null_reason
        from mart_group_total as t
        where t.group_code in (?, ?) and t.industry_code = 'C' and t.indicator = ? and t.year between ? and ?
        order by t.group_code = ? desc, t.year
        """,
        [pair.a, pair.b, indicator, f, t, pair.a],
    )
    growth = _df(
        con,
        """
        select group_code, base_year, year, base_value, value, growth_rate, cagr, null_reason, series_breaks
        from mart_group_growth
        where group_code in (?, ?) and industry_code = 'C' and indicator = ? and base_year = ? and year = ?
        order by group_code = ? desc
        """,
        [pair.a, pair.b, indicator, f, t, pair.a],
    )
    complete = totals[totals["year"].isin([f, t])]["is_complete"].all() if len(totals) else False
    notes = []
    if totals.empty:
        notes.append(
            f"No manufacturing total for {indicator}: the source prints none and it cannot be derived "
            "(合计 minus mining and utilities; fct_manufacturing_coverage). The sections below use the divisions."
        )
    return Section(
        1,
        "产出规模、增长与省份占比",
        "Output levels, growth and provincial shares",
        {
            "indicator": indicator,
            "universe": f"{pair.a}, {pair.b} (members' sums)",
            "industry set": "manufacturing total (C), printed or derived as 合计 minus mining and utilities",
            "coverage": "both group totals complete in both end years"
            if complete
            else (
                "no manufacturing total published for this indicator"
                if totals.empty
                else "a group total misses a member in an end year: shares and growth are null there"
            ),
        },
        notes=notes,
        tables={"provinces": provinces, "group_totals": totals, "group_growth": growth},
        charts=[
            Chart(
                "line",
                f"Manufacturing total 制造业合计, {indicator}",
                totals.pivot_table(index="year", columns="group_code", values="group_total"),
                {"ylabel": indicator},
            )
        ],
    )


def intensity_shares(con, pair: ComparisonPair, indicator: str) -> Section:
    years = [pair.year_from, (pair.year_from + pair.year_to) // 2, pair.year_to]
    shares = _df(
        con,
        f"""
        select s.universe_code, s.province_code, p.name_short_zh, p.name_en, s.year, s.intensity_class,
            s.share, s.n_industries, s.coverage
        from mart_intensity_shares_by_set as s
        join dim_province as p using (province_code)
        where s.universe_code in (?, ?) and s.industry_set = ? and s.indicator = ?
            and s.year in ({", ".join(str(y) for y in years)})
        order by s.universe_code = ? desc, s.province_code, s.year, s.intensity_class
        """,
        [pair.a, pair.b, pair.span_set, indicator, pair.a],
    )
    chart_data = shares[shares["year"].isin([pair.year_from, pair.year_to])]
    chart_data = chart_data.assign(bar=chart_data["name_en"] + " " + chart_data["year"].astype(str))
    return Section(
        2,
        "要素密集度结构",
        "Factor-intensity shares by province and period",
        {
            "indicator": indicator,
            "universe": f"{pair.a}, {pair.b}",
            "industry set": f"{pair.span_set}: the divisions each group's members report in every year "
            f"{pair.year_from}–{pair.year_to} ({_set_sizes(con, [pair.a, pair.b], pair.span_set, indicator)})",
            "coverage": _coverage_range(shares),
        },
        tables={"intensity_shares": shares},
        charts=[
            Chart(
                "stacked_bar",
                f"Factor-intensity shares 要素密集度占比, {pair.year_from} and {pair.year_to}",
                chart_data.pivot_table(index="bar", columns="intensity_class", values="share", sort=False),
                {"ylabel": "share of the industry set"},
            )
        ],
    )


def relative_specialization(con, pair: ComparisonPair, indicator: str) -> Section:
    rows = _df(
        con,
        """
        select r.universe_code, r.province_code, p.name_short_zh, p.name_en, r.year, r.krugman_vs_rest,
            r.krugman_vs_universe, r.region_weight, r.n_industries, r.coverage, r.is_universe_complete
        from mart_specialization_relative_by_set as r
        join dim_province as p using (province_code)
        where r.universe_code in (?, ?) and r.industry_set = ? and r.indicator = ? and r.year between ? and ?
        order by r.universe_code = ? desc, r.province_code, r.year
        """,
        [pair.a, pair.b, pair.span_set, indicator, pair.year_from, pair.year_to, pair.a],
    )
    means = _df(
        con,
        """
        select universe_code, year, mean_plain, mean_weighted, n_units
        from mart_group_index_mean
        where universe_code in (?, ?) and industry_set = ? and indicator = ? and index_name = 'krugman_vs_rest'
            and year between ? and ?
        order by universe_code = ? desc, year
        """,
        [pair.a, pair.b, pair.span_set, indicator, pair.year_from, pair.year_to, pair.a],
    )
    series = rows["universe_code"] + " " + rows["name_en"]
    by_year = rows.assign(province=series).pivot_table(
        index="province", columns="year", values="krugman_vs_rest", sort=False
    )
    return Section(
        3,
        "相对专业化指数（克鲁格曼，相对于组内其他省份）",
        "Relative specialization (Krugman vs the rest of the group)",
        {
            "indicator": indicator,
            "universe": f"{pair.a}, {pair.b}: each province against the rest of its own group",
            "industry set": f"{pair.span_set} ({_set_sizes(con, [pair.a, pair.b], pair.span_set, indicator)})",
            "coverage": _coverage_range(rows),
        },
        tables={"krel_by_year": by_year.reset_index(), "krugman_vs_rest": rows, "group_means": means},
        charts=[
            Chart(
                "line",
                "Krugman relative specialization index Krel 相对专业化指数",
                by_year.T,
                {"ylabel": "Krel (0–2)"},
            )
        ],
        workbook_only={"krugman_vs_rest"},
    )


def bilateral(con, pair: ComparisonPair, indicator: str) -> Section:
    rows = _df(
        con,
        """
        select b.year, b.province_code, p.name_en, b.partner_province_code, q.name_en as partner_name_en,
            b.krugman_bilateral, b.structural_similarity, b.n_industries, b.coverage, b.partner_coverage
        from mart_specialization_bilateral_by_set as b
        join dim_province as p on p.province_code = b.province_code
        join dim_province as q on q.province_code = b.partner_province_code
        where b.universe_code = ? and b.industry_set = ? and b.indicator = ?
            and list_contains(?::integer[], b.year)
        order by b.year, b.province_code, b.partner_province_code
        """,
        [pair.union_code, pair.pair_set, indicator, list(_heatmap_years(pair))],
    )
    charts = []
    for year in _heatmap_years(pair):
        for column, title in (
            ("krugman_bilateral", "Bilateral Krugman index 地区间专业化指数"),
            ("structural_similarity", "Structural similarity 结构相似系数"),
        ):
            data = rows[rows["year"] == year].pivot_table(index="name_en", columns="partner_name_en", values=column)
            charts.append(Chart("heatmap", f"{title}, {year}", data, {"fmt": "{:.2f}"}))
    return Section(
        4,
        "地区间专业化与结构相似",
        "Bilateral specialization and structural similarity",
        {
            "indicator": indicator,
            "universe": f"{pair.union_code} (the provinces of both groups)",
            "industry set": f"{pair.pair_set}: the divisions both groups report in every year "
            f"({_set_sizes(con, [pair.union_code], pair.pair_set, indicator)})",
            "coverage": _coverage_range(rows),
        },
        tables={"bilateral": rows},
        charts=charts,
        workbook_only={"bilateral"},
    )


def _heatmap_years(pair: ComparisonPair) -> tuple[int, ...]:
    """The years of the per-year heatmaps: those chosen (make report YEARS=...), else both ends."""
    return pair.heatmap_years or (pair.year_from, pair.year_to)


def location_quotients(con, pair: ComparisonPair, indicator: str) -> Section:
    rows = _df(
        con,
        """
        select l.industry_code, i.name_zh as industry_zh, i.name_en as industry_en, l.province_code,
            p.name_short_zh, p.name_en, l.lq, l.is_specialised, l.coverage
        from mart_location_quotient_by_set as l
        join dim_province as p using (province_code)
        join dim_industry as i using (industry_code)
        where l.universe_code = ? and l.industry_set = ? and l.indicator = ? and l.year = ?
        order by l.industry_code, l.province_code
        """,
        [pair.union_code, pair.pair_set, indicator, pair.year_to],
    )
    # chart labels in English: SVG text of CJK is measured here without a CJK font, and long labels
    # would be cut; the Chinese names are in the workbook's table
    division = rows["industry_code"] + " " + rows["industry_en"].str.slice(0, 45)
    matrix = rows.assign(division=division).pivot_table(index="division", columns="name_en", values="lq", sort=False)
    return Section(
        5,
        "区位商（行业 × 省份）",
        "Location quotients, division × province",
        {
            "indicator": indicator,
            "universe": f"{pair.union_code}: each province against the two groups' total",
            "industry set": f"{pair.pair_set} ({_set_sizes(con, [pair.union_code], pair.pair_set, indicator)})",
            "coverage": _coverage_range(rows),
        },
        tables={"location_quotients": rows},
        charts=[
            Chart(
                "heatmap",
                f"Location quotient 区位商, {pair.year_to} (LQ > 1 marked ●)",
                matrix,
                {"fmt": "{:.2f}", "mark_above": 1.0},
            )
        ],
        workbook_only={"location_quotients"},
    )


def hightech(con, pair: ComparisonPair, indicator: str) -> Section:
    levels = _df(
        con,
        """
        select group_code, year, sum_of_members as hightech_revenue, unit, n_members_reporting, n_members,
            share_of_nation, series_basis
        from mart_hightech_group
        where group_code in (?, ?) and indicator = 'hightech_revenue'
        order by group_code = ? desc, year
        """,
        [pair.a, pair.b, pair.a],
    )
    in_span = levels[(levels["year"] >= pair.year_from) & (levels["year"] <= pair.year_to)]
    years = sorted(in_span["year"].unique())
    growth = pd.DataFrame()
    if len(years) >= 2:
        growth = _df(
            con,
            """
            select group_code, base_year, year, base_value, value, growth_rate, cagr, crosses_series_break,
                series_breaks, null_reason
            from mart_hightech_group_growth
            where group_code in (?, ?) and indicator = 'hightech_revenue' and base_year = ? and year = ?
            order by group_code = ? desc
            """,
            [pair.a, pair.b, int(years[0]), int(years[-1]), pair.a],
        )
    notes = []
    if len(years) < len(_years(pair)):
        notes.append(
            f"High-tech editions within {pair.year_from}–{pair.year_to}: {', '.join(map(str, years)) or 'none'}; "
            "growth is taken between the first and last of them."
        )
    return Section(
        6,
        "高技术产业营业收入",
        "High-tech industry revenue, share of the nation and growth",
        {
            "indicator": "hightech_revenue (高技术产业营业收入/主营业务收入)",
            "universe": f"{pair.a}, {pair.b} (members' sums); nation = 31 provinces",
            "industry set": "high-tech manufacturing as the yearbook defines it (series basis per edition)",
            "coverage": "every member reports in every edition shown"
            if len(in_span) and (in_span["n_members_reporting"] == in_span["n_members"]).all()
            else "some editions miss a member (n_members_reporting)",
        },
        tables={"hightech_revenue": levels, "hightech_growth": growth},
        charts=[
            Chart(
                "line",
                "High-tech revenue 高技术产业营业收入",
                levels.pivot_table(index="year", columns="group_code", values="hightech_revenue"),
                {"ylabel": "亿元"},
            )
        ],
        notes=notes,
    )


def concentration(con, pair: ComparisonPair, indicator: str) -> Section:
    yearly = _df(
        con,
        """
        select year, avg(locational_gini) as mean_locational_gini, avg(hoover_localization) as mean_hoover,
            count(*) as n_divisions
        from mart_industry_concentration_by_set
        where universe_code = ? and industry_set = ? and indicator = ? and year between ? and ?
        group by year
        order by year
        """,
        [pair.union_code, pair.pair_set, indicator, pair.year_from, pair.year_to],
    )
    fits = []
    for column in ("mean_locational_gini", "mean_hoover"):
        fits.append({"series": column, **quadratic_fit(yearly["year"], yearly[column])})
    fit_table = pd.DataFrame(fits)
    return Section(
        7,
        "产业集中度（区位基尼系数、胡佛系数）",
        "Industry concentration over time (locational Gini, Hoover)",
        {
            "indicator": indicator,
            "universe": f"{pair.union_code}: concentration of each division across the provinces of both groups",
            "industry set": f"{pair.pair_set} ({_set_sizes(con, [pair.union_code], pair.pair_set, indicator)}); "
            "the yearly value is the mean over the set's divisions",
            "coverage": "means over the divisions of the set; "
            "per-division values in mart_industry_concentration_by_set",
        },
        tables={"concentration": yearly, "quadratic_fit": fit_table},
        charts=[
            Chart(
                "quadratic",
                "Mean concentration with fitted quadratic 集中度与二次拟合",
                yearly.set_index("year")[["mean_locational_gini", "mean_hoover"]],
                {"fits": fits},
            )
        ],
        notes=[
            "Fit y = b0 + b1·t + b2·t² by least squares on t = year − first year. A turning point "
            "−b1/(2·b2) inside the span with b2 < 0 is the inverted U of concentration; with so few "
            "years it describes the series and tests nothing formally."
        ],
    )


def quadratic_fit(years: pd.Series, values: pd.Series) -> dict:
    """Least-squares y = b0 + b1·t + b2·t², t = year − first year; the turning point in years."""
    ok = values.notna()
    if ok.sum() < 3:
        return {
            "b0": None,
            "b1": None,
            "b2": None,
            "r_squared": None,
            "turning_point_year": None,
            "shape": "too few years",
        }
    t = (years[ok] - years[ok].min()).to_numpy(dtype=float)
    y = values[ok].to_numpy(dtype=float)
    b2, b1, b0 = np.polyfit(t, y, 2)
    fitted = b0 + b1 * t + b2 * t**2
    total = ((y - y.mean()) ** 2).sum()
    r2 = 1 - ((y - fitted) ** 2).sum() / total if total > 0 else None
    turning = float(years[ok].min() - b1 / (2 * b2)) if b2 != 0 else None
    inside = turning is not None and years[ok].min() <= turning <= years[ok].max()
    shape = ("inverted U" if b2 < 0 else "U") + (" (turning point inside the span)" if inside else " (no turn inside)")
    return {
        "b0": float(b0),
        "b1": float(b1),
        "b2": float(b2),
        "r_squared": None if r2 is None else float(r2),
        "turning_point_year": turning,
        "shape": shape,
    }


def shift_share(con, pair: ComparisonPair, indicator: str) -> Section:
    rows = _df(
        con,
        """
        select s.province_code, p.name_short_zh, p.name_en, s.base_year, s.year, s.base_value, s.value, s.change,
            s.national_share, s.industry_mix, s.regional_share, s.universe_growth, s.n_industries,
            s.crosses_series_break, s.null_reason
        from mart_shift_share_by_set as s
        join dim_province as p using (province_code)
        where s.universe_code = ? and s.industry_set = ? and s.indicator = ? and s.base_year = ? and s.year = ?
        order by s.province_code
        """,
        [pair.union_code, pair.pair_set, indicator, pair.year_from, pair.year_to],
    )
    return Section(
        8,
        "偏离—份额分解",
        f"Shift-share decomposition {pair.year_from}–{pair.year_to}",
        {
            "indicator": indicator,
            "universe": f"{pair.union_code}: growth of the two groups together is the reference",
            "industry set": f"{pair.pair_set}: the same divisions in both years "
            f"({_set_sizes(con, [pair.union_code], pair.pair_set, indicator)})",
            "coverage": f"members with data in both years: {len(rows)} of {len(_members(con, pair.union_code))}"
            + "".join(
                f"; {code} has no data in {pair.year_from} or {pair.year_to}"
                for code in sorted(set(_members(con, pair.union_code)) - set(rows["province_code"]))
            ),
        },
        tables={"shift_share": rows},
        # here national_share is the shift-share component NS, not a share of the nation
        labels={"national_share": ("全国份额分量", "national share NS")},
        charts=[
            Chart(
                "stacked_bar",
                "Shift-share components 偏离—份额分量 (national share, industry mix, regional share)",
                rows.set_index("name_en")[["national_share", "industry_mix", "regional_share"]],
                {"ylabel": indicator, "signed": True},
            )
        ],
    )


def caveats(con, pair: ComparisonPair, indicator: str) -> Section:
    members = sorted(set(_members(con, pair.a)) | set(_members(con, pair.b)))
    in_members = ", ".join(f"'{m}'" for m in members)
    f, t = pair.year_from, pair.year_to
    by_year = _df(
        con,
        """
        select universe_code, industry_set, year, any_value(n_industries) as n_industries,
            bool_and(is_universe_complete) as is_universe_complete
        from mart_specialization_relative_by_set
        where universe_code in (?, ?, ?) and indicator = ? and year between ? and ?
        group by all
        """,
        [pair.a, pair.b, pair.union_code, indicator, f, t],
    )
    sets = (
        by_year.groupby(["universe_code", "industry_set"], sort=False)
        .agg(
            years=("year", "count"),
            min_divisions=("n_industries", "min"),
            max_divisions=("n_industries", "max"),
            incomplete_years=("is_universe_complete", lambda c: int((~c.astype(bool)).sum())),
        )
        .reset_index()
        .sort_values(["universe_code", "industry_set"])
    )
    # a division some members report and another lacks: the blank cell takes it out for everyone
    dropped = _df(
        con,
        """
        select universe_code, year, industry_code, count(*) as n_members_reporting,
            any_value(members_lacking) as members_lacking
        from mart_division_availability
        where universe_code in (?, ?) and indicator = ? and year between ? and ?
            and status = 'dropped_by_common_support'
        group by all
        order by universe_code, year, industry_code
        """,
        [pair.a, pair.b, indicator, f, t],
    )
    coverage = _df(
        con,
        f"""
        select province_code, year, coverage_ratio, manufacturing_total_basis, n_manufacturing_divisions_reported
        from fct_manufacturing_coverage
        where province_code in ({in_members}) and indicator = ? and year between ? and ?
        order by province_code, year
        """,
        [indicator, f, t],
    )
    quarantined = _df(
        con,
        f"""
        select * from fct_quarantine
        where province_code in ({in_members}) and year between ? and ?
        order by province_code, year
        """,
        [f, t],
    )
    breaks = _df(
        con,
        """
        select break_code, indicator, first_year, name_en
        from dim_statistical_break
        where first_year > ? and first_year <= ? and (indicator is null or indicator = ?)
        order by first_year, break_code
        """,
        [f, t, indicator],
    )
    shifts = _df(
        con,
        f"""
        select * from mart_level_shift
        where province_code in ({in_members}) and year > ? and year <= ? and indicator = ? and is_level_shift
        order by province_code, year
        """,
        [f, t, indicator],
    )
    incomplete = int(sets["incomplete_years"].sum()) if len(sets) else 0
    return Section(
        9,
        "覆盖范围与注意事项",
        "Coverage and caveats",
        {
            "indicator": indicator,
            "universe": f"{pair.a}, {pair.b}, {pair.union_code}",
            "industry set": "year_common, " + pair.span_set + ", " + pair.pair_set,
            "coverage": f"{incomplete} incomplete universe-years; {len(dropped)} divisions left out by a blank "
            f"cell of one member; {len(quarantined)} quarantined values; "
            f"{len(breaks)} known breaks and {len(shifts)} detected level shifts in the span",
        },
        tables={
            "industry_sets": sets,
            "divisions_left_out": dropped,
            "coverage_ratios": coverage,
            "quarantined_values": quarantined,
            "series_breaks": breaks,
            "level_shifts": shifts,
        },
    )


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
)


def _set_sizes(con, universes: list[str], industry_set: str, indicator: str) -> str:
    rows = con.execute(
        f"""
        select universe_code, min(n_industries), max(n_industries)
        from mart_specialization_relative_by_set
        where universe_code in ({", ".join("?" for _ in universes)}) and industry_set = ? and indicator = ?
        group by universe_code order by universe_code
        """,
        [*universes, industry_set, indicator],
    ).fetchall()
    return (
        "; ".join(f"{u}: {lo} divisions" if lo == hi else f"{u}: {lo}–{hi} divisions" for u, lo, hi in rows) or "empty"
    )


def _coverage_range(frame: pd.DataFrame) -> str:
    if "coverage" not in frame or frame["coverage"].notna().sum() == 0:
        return "no manufacturing total to compare with"
    return (
        f"the set explains {frame['coverage'].min():.0%}–{frame['coverage'].max():.0%} of the provinces' "
        "manufacturing totals"
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
    published = con.execute("select max(published_at) from publication_manifest").fetchone()[0]
    return ReportData(
        pair=pair,
        indicator=indicator,
        names=names,
        sections=[section(con, pair, indicator) for section in SECTIONS],
        published_at=str(published),
    )
