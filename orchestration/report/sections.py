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

import math
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..dbt_registry import group_mean_columns
from ..settings import ComparisonPair
from ..statistics import FitError, fit_linear, fit_quadratic
from ..withheld_province_years import withheld_province_years, withheld_province_years_query

INCOMPLETE_MARK = "†"
INCOMPLETE_LEGEND = "† incomplete: a member of the group has no data that year"


@dataclass
class Claim:
    """One sentence of the report with a count, set, year or direction, and the query behind it."""

    key: str
    text: str
    value: object
    sql: str


def _literal(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_literal(v) for v in value) + "]"
    return str(value)


def sql_text(sql: str, params: list | None) -> str:
    """The query with its parameters written in, as it can be pasted into duckdb."""
    sql = re.sub(r"--[^\n]*", "", sql)  # comments out, so the query holds on one line
    parts = sql.split("?")
    params = list(params or [])
    out = parts[0]
    for part, value in zip(parts[1:], params, strict=False):
        out += _literal(value) + part
    return " ".join(out.split())


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
    # header labels of the columns this section makes itself (a published column's label is its
    # YAML meta, orchestration/dbt_registry.py)
    labels: dict[str, tuple[str, str]] = field(default_factory=dict)
    # column -> the published model it is read from, for a name two models describe differently
    # (national_share: a share of the nation in mart_group_total, the component NS in mart_shift_share)
    read_from: dict[str, str] = field(default_factory=dict)
    claims: list[Claim] = field(default_factory=list)
    # table name -> the cells an HTML table marks incomplete: {(row index, column)} of the frame
    incomplete_cells: dict[str, set] = field(default_factory=dict)


@dataclass
class ReportData:
    pair: ComparisonPair
    indicator: str
    names: dict[str, tuple[str, str]]  # group code -> (zh, en)
    sections: list[Section]
    published_at: str
    unit: str = ""  # the indicator's unit as published (亿元, 人)

    @property
    def claims(self) -> list[tuple[int, Claim]]:
        return [(s.number, c) for s in self.sections for c in s.claims]


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


UNIT_EN = {"亿元": "100 million yuan", "人": "persons", "元": "yuan", "个": "enterprises"}


def unit_label(unit: str) -> str:
    """亿元 → '亿元 (100 million yuan)'; the unit as the report prints it on axes and headers."""
    return f"{unit} ({UNIT_EN[unit]})" if unit in UNIT_EN else unit


def _unit(con, indicator: str) -> str:
    row = con.execute("select any_value(unit) from fct_industry_indicator where indicator = ?", [indicator]).fetchone()
    return row[0] or ""


def _names(con) -> dict[str, str]:
    """province or group code -> '北京 Beijing'."""
    rows = con.execute("select province_code, name_short_zh, name_en from dim_province").fetchall()
    rows += con.execute("select group_code, name_zh, name_en from dim_region_group").fetchall()
    return {code: f"{zh} {en}" for code, zh, en in rows}


def _name_list(codes, names: dict[str, str]) -> str:
    return ", ".join(names.get(c, c) for c in codes)


def _claim(section_claims: list, key: str, text: str, value, sql: str, params: list | None = None) -> str:
    section_claims.append(Claim(key, text, value, sql_text(sql, params)))
    return text


MISSING_MEMBERS_SQL = """
    select universe_code, year, list(distinct province_code order by province_code) as members_missing
    from mart_division_availability
    where universe_code in ({universes}) and indicator = ? and year between ? and ?
        and status in ('member_without_data', 'province_year_withheld')
    group by all
    order by universe_code, year
"""


def _missing_members(con, universes: list[str], indicator: str, f: int, t: int) -> tuple[dict, str]:
    """(universe, year) -> the members with no data that year (an incomplete universe-year)."""
    sql = MISSING_MEMBERS_SQL.format(universes=", ".join("?" for _ in universes))
    params = [*universes, indicator, f, t]
    rows = con.execute(sql, params).fetchall()
    return {(u, y): list(m) for u, y, m in rows}, sql_text(sql, params)


def _years_text(by_year: dict[int, list[str]], names: dict[str, str]) -> str:
    return "; ".join(f"{year} ({_name_list(codes, names)} missing)" for year, codes in sorted(by_year.items()))


def output_levels(con, pair: ComparisonPair, indicator: str) -> Section:
    f, t = pair.year_from, pair.year_to
    names, unit, claims = _names(con), _unit(con, indicator), []
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
    provinces.insert(1, "group_name", provinces["group_code"].map(names))
    provinces.insert(4, "province", provinces["name_short_zh"] + " " + provinces["name_en"])
    totals_sql = """
        select t.group_code, t.year, t.group_total, t.n_members_present, t.n_members, t.is_complete,
            t.members_without_value, t.national_share, t.is_derived_total, t.null_reason
        from mart_group_total as t
        where t.group_code in (?, ?) and t.industry_code = 'C' and t.indicator = ? and t.year between ? and ?
        order by t.group_code = ? desc, t.year
        """
    totals_params = [pair.a, pair.b, indicator, f, t, pair.a]
    totals = _df(con, totals_sql, totals_params)
    totals.insert(1, "group_name", totals["group_code"].map(names))
    totals["members_without_value"] = totals["members_without_value"].map(lambda m: _name_list(list(m), names))
    growth_sql = """
        select group_code, base_year, year, base_value, value, growth_rate, cagr, null_reason, series_breaks
        from mart_group_growth
        where group_code in (?, ?) and industry_code = 'C' and indicator = ? and base_year = ? and year = ?
        order by group_code = ? desc
        """
    growth = _df(con, growth_sql, [pair.a, pair.b, indicator, f, t, pair.a])
    notes = []
    if totals.empty:
        totals, sums_sql, sums_params = _division_sums(con, pair, indicator)
        totals.insert(1, "group_name", totals["group_code"].map(names))
        totals["members_without_value"] = totals["members_without_value"].map(lambda m: _name_list(list(m), names))
        sizes = sorted({int(n) for ns in totals["divisions_per_member"] for n in ns})
        notes.append(
            _claim(
                claims,
                "no_manufacturing_total",
                f"No manufacturing total for {indicator}: the source prints none and it cannot be derived "
                "(合计 minus mining and utilities; fct_manufacturing_coverage). Shown instead: the sum of the "
                f"manufacturing divisions each member reports ({', '.join(map(str, sizes)) or 'no'} divisions per "
                "member-year), summed over the members; no CAGR is published for it.",
                sizes,
                sums_sql,
                sums_params,
            )
        )
    # incomplete group-years, named
    incomplete = {
        group: {
            int(r.year): [c.strip() for c in str(r.members_without_value).split(",") if c.strip()]
            for r in totals[(totals.group_code == group) & ~totals.is_complete.astype(bool)].itertuples()
        }
        for group in (pair.a, pair.b)
    }
    for group in (pair.a, pair.b):
        years = incomplete[group]
        if len(totals):
            text = (
                f"{names.get(group, group)}: {len(years)} of {t - f + 1} years incomplete — "
                + "; ".join(f"{y} ({', '.join(m) or 'a member'} missing)" for y, m in sorted(years.items()))
                + ". Drawn hollow and marked †; left out of the trend growth."
                if years
                else f"{names.get(group, group)}: every member has a value in every year {f}–{t}."
            )
            notes.append(_claim(claims, f"incomplete_years_{group}", text, sorted(years), totals_sql, totals_params))
    # the CAGR between the end years, or why there is none
    reasons = {
        "base_missing": "the {f} total is missing or incomplete",
        "value_missing": "the {t} total is missing or incomplete",
        "group_incomplete": "a member is missing in an end year",
    }
    for row in growth.itertuples():
        if pd.notna(row.cagr):
            text = f"{names.get(row.group_code, row.group_code)}: CAGR {f}–{t} {row.cagr:.1%} a year."
        else:
            why = reasons.get(row.null_reason, str(row.null_reason)).format(f=f, t=t)
            lacking = incomplete.get(row.group_code, {})
            end_missing = {y: m for y, m in lacking.items() if y in (f, t)}
            detail = (
                " (" + "; ".join(f"{y}: {', '.join(m)} missing" for y, m in sorted(end_missing.items())) + ")"
                if end_missing
                else ""
            )
            text = (
                f"{names.get(row.group_code, row.group_code)}: no CAGR {f}–{t} ({row.null_reason}): {why}{detail}; "
                "the trend growth below uses the complete years."
            )
        notes.append(
            _claim(
                claims, f"cagr_{row.group_code}", text, row.cagr, growth_sql, [pair.a, pair.b, indicator, f, t, pair.a]
            )
        )
    # trend growth on the complete years (log-linear, HC1), the incomplete ones left out
    trend_rows = []
    for group in (pair.a, pair.b):
        rows = totals[(totals.group_code == group) & totals.group_total.notna()]
        used = rows[rows.is_complete.astype(bool)]
        row = {"group_code": group, "group_name": names.get(group, group), "sample": "complete years"}
        try:
            fit = fit_linear(used.year, np.log(used.group_total.astype(float)), origin=f)
            b1 = fit.coefficient("t")
            row |= {
                "trend_growth": math.expm1(b1.estimate),
                "se_trend_growth": math.exp(b1.estimate) * b1.se,
                "ci_low": math.expm1(b1.ci_low),
                "ci_high": math.expm1(b1.ci_high),
                "n": fit.n,
                "r_squared": fit.r_squared,
            }
        except FitError as exc:
            row |= {"note": str(exc)}
        row["years_left_out"] = ", ".join(str(y) for y in sorted(incomplete[group])) or "none"
        trend_rows.append(row)
    trend = pd.DataFrame(trend_rows)
    if len(totals):
        notes.append(
            "Trend growth: OLS of ln(total) on the year over the complete years, growth = exp(b) − 1, "
            "HC1 standard error by the delta method, 95 % interval from the t interval of b."
        )
    wide = _output_wide(con, pair, indicator, totals, names)
    # the whole group-year is marked: its members' column as well as the total
    marks = {
        ("output_by_year", (row_i, y))
        for row_i, group in enumerate(wide["group_code"])
        for y in incomplete.get(group, {})
        if y in wide.columns
    }
    chart_data = totals.pivot_table(index="year", columns="group_name", values="group_total", sort=False)
    chart_incomplete = {names.get(g, g): set(incomplete[g]) for g in (pair.a, pair.b)}
    complete = totals[totals["year"].isin([f, t])]["is_complete"].all() if len(totals) else False
    return Section(
        1,
        "产出规模、增长与省份占比",
        "Output levels, growth and provincial shares",
        {
            "indicator": f"{indicator} ({unit_label(unit)})",
            "universe": f"{names.get(pair.a, pair.a)}, {names.get(pair.b, pair.b)} (members' sums)",
            "industry set": "manufacturing total (C), printed or derived as 合计 minus mining and utilities",
            "coverage": "both group totals complete in both end years"
            if complete
            else (
                "no manufacturing total published for this indicator"
                if totals.empty
                else "a group total misses a member in an end year: its CAGR is null; the trend growth uses "
                "the complete years"
            ),
        },
        notes=notes,
        claims=claims,
        tables={
            "output_by_year": wide,
            "group_totals": totals,
            "group_growth": growth,
            "trend_growth": trend,
            "provinces": provinces,
        },
        workbook_only={"group_totals"},
        read_from={"national_share": "mart_group_total"},
        incomplete_cells={
            "output_by_year": {cell for _, cell in marks},
            "provinces": _province_marks(provinces, incomplete, f, t),
        },
        charts=[
            Chart(
                "line",
                f"Manufacturing total 制造业合计, {indicator}",
                chart_data,
                {"ylabel": unit_label(unit), "incomplete": chart_incomplete},
            )
        ],
    )


def _province_marks(provinces: pd.DataFrame, incomplete: dict, f: int, t: int) -> set:
    """The cells of the first/last-year table that fall in an incomplete group-year."""
    columns = {
        f: ("value_from", "share_of_group_from", "growth_rate", "cagr"),
        t: ("value_to", "share_of_group_to", "growth_rate", "cagr"),
    }
    return {
        (i, column)
        for i, group in enumerate(provinces["group_code"])
        for year in (f, t)
        if year in incomplete.get(group, {})
        for column in columns[year]
    }


def _division_sums(con, pair: ComparisonPair, indicator: str) -> tuple[pd.DataFrame, str, list]:
    """Where no manufacturing total is published: each group-year's sum of its members' division sums
    (fct_manufacturing_coverage), incomplete when a member has none."""
    sql = """
        select m.group_code, y.year, sum(c.manufacturing_divisions_sum) as group_total,
            count(c.province_code)::integer as n_members_present, any_value(g.n_members) as n_members,
            count(c.province_code) = any_value(g.n_members) as is_complete,
            list(m.province_code order by m.province_code) filter (where c.province_code is null)
                as members_without_value,
            list(c.n_manufacturing_divisions_reported) filter (where c.province_code is not null)
                as divisions_per_member,
            'sum of the divisions' as basis
        from dim_region_group_member as m
        join dim_region_group as g using (group_code)
        cross join (select unnest(range(?, ? + 1)) as year) as y
        left join fct_manufacturing_coverage as c
            on c.province_code = m.province_code and c.year = y.year and c.indicator = ?
            and c.manufacturing_divisions_sum is not null
        where m.group_code in (?, ?)
        group by m.group_code, y.year
        order by m.group_code = ? desc, y.year
        """
    params = [pair.year_from, pair.year_to, indicator, pair.a, pair.b, pair.a]
    frame = _df(con, sql, params)
    for column in ("members_without_value", "divisions_per_member"):
        frame[column] = frame[column].map(lambda m: list(m) if isinstance(m, list | tuple | np.ndarray) else [])
    return frame, sql, params


def _output_wide(con, pair: ComparisonPair, indicator: str, totals: pd.DataFrame, names: dict) -> pd.DataFrame:
    """Province × year: each member's manufacturing total, then the group's; years as columns."""
    members = _df(
        con,
        """
        select s.group_code, s.province_code as code, s.year, s.value
        from mart_group_member_share as s
        where s.group_code in (?, ?) and s.industry_code = 'C' and s.indicator = ? and s.year between ? and ?
        """,
        [pair.a, pair.b, indicator, pair.year_from, pair.year_to],
    )
    if members.empty:  # no manufacturing total: the members' division sums, as in the group totals
        members = _df(
            con,
            """
            select m.group_code, c.province_code as code, c.year, c.manufacturing_divisions_sum as value
            from fct_manufacturing_coverage as c
            join dim_region_group_member as m using (province_code)
            where m.group_code in (?, ?) and c.indicator = ? and c.year between ? and ?
            """,
            [pair.a, pair.b, indicator, pair.year_from, pair.year_to],
        )
    rows = []
    for group in (pair.a, pair.b):
        part = members[members.group_code == group].pivot_table(index="code", columns="year", values="value")
        for code in _members(con, group):
            rows.append(
                {"group_code": group, "code": code, "name": names.get(code, code)}
                | (part.loc[code].to_dict() if code in part.index else {})
            )
        total = totals[totals.group_code == group].set_index("year")["group_total"].to_dict()
        rows.append({"group_code": group, "code": group, "name": f"{names.get(group, group)} 合计 total"} | total)
    frame = pd.DataFrame(rows)
    years = [y for y in _years(pair) if y in frame.columns]
    return frame[["group_code", "code", "name", *years]]


def _incomplete_universe_years(con, universes, industry_set, indicator, f, t) -> tuple[dict, str, list]:
    sql = f"""
        select universe_code, year
        from mart_specialization_relative_by_set
        where universe_code in ({", ".join("?" for _ in universes)}) and industry_set = ? and indicator = ?
            and year between ? and ?
        group by all
        having not bool_and(is_universe_complete)
        order by universe_code, year
        """
    params = [*universes, industry_set, indicator, f, t]
    rows = con.execute(sql, params).fetchall()
    out: dict[str, set[int]] = {u: set() for u in universes}
    for u, y in rows:
        out[u].add(int(y))
    return out, sql, params


def intensity_shares(con, pair: ComparisonPair, indicator: str) -> Section:
    names, claims = _names(con), []
    years = [pair.year_from, (pair.year_from + pair.year_to) // 2, pair.year_to]
    shares = _df(
        con,
        f"""
        select s.universe_code, s.province_code, p.name_short_zh, p.name_en, s.year, s.intensity_class,
            s.share, s.n_industries_in_class, s.n_industries, s.coverage
        from mart_intensity_shares_by_set as s
        join dim_province as p using (province_code)
        where s.universe_code in (?, ?) and s.industry_set = ? and s.indicator = ?
            and s.year in ({", ".join(str(y) for y in years)})
        order by s.universe_code = ? desc, s.province_code, s.year, s.intensity_class
        """,
        [pair.a, pair.b, pair.span_set, indicator, pair.a],
    )
    # how much of each class the set holds: the divisions of the class in the set vs in the classification
    class_sql = """
        with in_set as (
            select distinct universe_code, industry_code
            from mart_location_quotient_by_set
            where universe_code in (?, ?) and industry_set = ? and indicator = ? and year between ? and ?
        )
        select * from (
        select u.universe_code, i.intensity_class, count(*) as n_divisions,
            count(s.industry_code) as n_in_set,
            list(i.industry_code || ' ' || i.name_zh order by i.industry_code)
                filter (where s.industry_code is null) as not_in_set
        from dim_industry as i
        cross join (select unnest([?, ?]) as universe_code) as u
        left join in_set as s on s.universe_code = u.universe_code and s.industry_code = i.industry_code
        where i.is_metric_industry and i.intensity_class is not null and i.intensity_class <> 'unclassified'
        group by all
        )
        order by universe_code = ? desc, intensity_class
        """
    class_params = [pair.a, pair.b, pair.span_set, indicator, pair.year_from, pair.year_to, pair.a, pair.b, pair.a]
    classes = _df(con, class_sql, class_params)
    notes = []
    for row in classes.itertuples():
        if row.n_in_set < row.n_divisions:
            text = (
                f"{names.get(row.universe_code, row.universe_code)}: the {row.intensity_class}-intensive class holds "
                f"{row.n_in_set} of its {row.n_divisions} divisions in the set; not in it: "
                f"{', '.join(list(row.not_in_set if row.not_in_set is not None else []))}. Its share covers only those."
            )
            notes.append(
                _claim(
                    claims,
                    f"class_coverage_{row.universe_code}_{row.intensity_class}",
                    text,
                    f"{row.n_in_set}/{row.n_divisions}",
                    class_sql,
                    class_params,
                )
            )
    incomplete, inc_sql, inc_params = _incomplete_universe_years(
        con, [pair.a, pair.b], pair.span_set, indicator, pair.year_from, pair.year_to
    )
    shares["is_universe_complete"] = [
        y not in incomplete.get(u, ()) for u, y in zip(shares["universe_code"], shares["year"], strict=True)
    ]
    label = shares["name_short_zh"] + " " + shares["name_en"]
    wide = (
        shares.assign(province=label)
        .pivot_table(index=["universe_code", "province", "intensity_class"], columns="year", values="share", sort=False)
        .reset_index()
    )
    marks = {(i, y) for i, u in enumerate(wide["universe_code"]) for y in incomplete.get(u, set()) if y in wide.columns}
    chart_data = shares[shares["year"].isin([pair.year_from, pair.year_to])]
    chart_data = chart_data.assign(
        bar=chart_data["name_short_zh"]
        + " "
        + chart_data["name_en"]
        + " "
        + chart_data["year"].astype(str)
        + chart_data.apply(
            lambda r: INCOMPLETE_MARK if r["year"] in incomplete.get(r["universe_code"], ()) else "", axis=1
        )
    )
    if any(incomplete.values()):
        notes.append(
            _claim(
                claims,
                "intensity_incomplete",
                "Shares in an incomplete universe-year are marked † ("
                + "; ".join(
                    f"{names.get(u, u)} {', '.join(map(str, sorted(ys)))}" for u, ys in incomplete.items() if ys
                )
                + "): the set is the same, but the group lacks a member.",
                {u: sorted(ys) for u, ys in incomplete.items()},
                inc_sql,
                inc_params,
            )
        )
    return Section(
        2,
        "要素密集度结构",
        "Factor-intensity shares by province and period",
        {
            "indicator": indicator,
            "universe": f"{names.get(pair.a, pair.a)}, {names.get(pair.b, pair.b)}",
            "industry set": f"{pair.span_set}: the divisions each group's members report in every year "
            f"{pair.year_from}–{pair.year_to} ({_set_sizes(con, [pair.a, pair.b], pair.span_set, indicator)})",
            "coverage": _coverage_range(shares),
        },
        tables={"intensity_shares_by_year": wide, "class_coverage": classes, "intensity_shares": shares},
        workbook_only={"intensity_shares"},
        incomplete_cells={"intensity_shares_by_year": marks},
        notes=notes,
        claims=claims,
        charts=[
            Chart(
                "stacked_bar",
                f"Factor-intensity shares 要素密集度占比, {pair.year_from} and {pair.year_to}",
                chart_data.pivot_table(index="bar", columns="intensity_class", values="share", sort=False) * 100,
                {"ylabel": "% of the industry set", "legend_title": "intensity class 要素密集类型"},
            )
        ],
    )


def _published_columns(con, table: str) -> set[str]:
    return {column[0] for column in con.execute(f"select * from {table} limit 0").description}


def relative_specialization(con, pair: ComparisonPair, indicator: str) -> Section:
    names, claims = _names(con), []
    # Krel, then every other region index of the mart (its YAML flags them group_mean), so an index
    # added there is in the workbook's table with its YAML label; a publication made before the
    # index existed is read without it
    published = _published_columns(con, "mart_specialization_relative_by_set")
    indices = ["krugman_vs_rest"] + [
        c
        for c in group_mean_columns("mart_specialization_relative_by_set")
        if c != "krugman_vs_rest" and c in published
    ]
    rows = _df(
        con,
        f"""
        select r.universe_code, r.province_code, p.name_short_zh, p.name_en, r.year,
            {", ".join(f"r.{c}" for c in indices)}, r.region_weight, r.n_industries, r.coverage, r.is_universe_complete
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
        select m.universe_code, m.year, m.mean_plain, m.mean_weighted, m.n_units, g.n_members
        from mart_group_index_mean as m
        join dim_region_group as g on g.group_code = m.universe_code
        where m.universe_code in (?, ?) and m.industry_set = ? and m.indicator = ? and m.index_name = 'krugman_vs_rest'
            and m.year between ? and ?
        order by m.universe_code = ? desc, m.year
        """,
        [pair.a, pair.b, pair.span_set, indicator, pair.year_from, pair.year_to, pair.a],
    )
    incomplete, inc_sql, inc_params = _incomplete_universe_years(
        con, [pair.a, pair.b], pair.span_set, indicator, pair.year_from, pair.year_to
    )
    means["is_universe_complete"] = [
        y not in incomplete.get(u, ()) for u, y in zip(means.universe_code, means.year, strict=True)
    ]
    label = rows["name_short_zh"] + " " + rows["name_en"]
    by_year = (
        rows.assign(province=label)
        .pivot_table(index=["universe_code", "province"], columns="year", values="krugman_vs_rest", sort=False)
        .reset_index()
    )
    marks = {
        (i, y) for i, u in enumerate(by_year["universe_code"]) for y in incomplete.get(u, set()) if y in by_year.columns
    }
    mean_marks = {(i, "mean_plain") for i, ok in enumerate(means["is_universe_complete"]) if not ok}
    chart = by_year.set_index("province").drop(columns="universe_code").T
    chart_incomplete = {
        p: set(incomplete.get(u, set())) for u, p in zip(by_year["universe_code"], by_year["province"], strict=True)
    }
    notes = []
    if any(incomplete.values()):
        notes.append(
            _claim(
                claims,
                "krel_incomplete",
                "Marked † and drawn hollow: "
                + "; ".join(
                    f"{names.get(u, u)} in {', '.join(map(str, sorted(ys)))}" for u, ys in incomplete.items() if ys
                )
                + ", when the group lacks a member: Krel then compares a province with fewer others (with two "
                "members, both get the same value).",
                {u: sorted(ys) for u, ys in incomplete.items()},
                inc_sql,
                inc_params,
            )
        )
    return Section(
        3,
        "相对专业化指数（克鲁格曼，相对于组内其他省份）",
        "Relative specialization (Krugman vs the rest of the group)",
        {
            "indicator": indicator,
            "universe": f"{names.get(pair.a, pair.a)}, {names.get(pair.b, pair.b)}: each province against the rest "
            "of its own group",
            "industry set": f"{pair.span_set} ({_set_sizes(con, [pair.a, pair.b], pair.span_set, indicator)})",
            "coverage": _coverage_range(rows),
        },
        tables={"krel_by_year": by_year, "krugman_vs_rest": rows, "group_means": means},
        charts=[
            Chart(
                "line",
                "Krugman relative specialization index Krel 相对专业化指数",
                chart,
                {"ylabel": "Krel, index (0–2)", "incomplete": chart_incomplete},
            )
        ],
        workbook_only={"krugman_vs_rest"},
        incomplete_cells={"krel_by_year": marks, "group_means": mean_marks},
        notes=notes,
        claims=claims,
    )


def bilateral(con, pair: ComparisonPair, indicator: str) -> Section:
    names, claims = _names(con), []
    rows = _df(
        con,
        """
        select b.year, b.province_code, p.name_en, b.partner_province_code, q.name_en as partner_name_en,
            b.krugman_bilateral, b.structural_similarity, b.n_industries, b.coverage, b.partner_coverage,
            b.is_universe_complete
        from mart_specialization_bilateral_by_set as b
        join dim_province as p on p.province_code = b.province_code
        join dim_province as q on q.province_code = b.partner_province_code
        where b.universe_code = ? and b.industry_set = ? and b.indicator = ?
            and list_contains(?::integer[], b.year)
        order by b.year, b.province_code, b.partner_province_code
        """,
        [pair.union_code, pair.pair_set, indicator, list(_heatmap_years(pair))],
    )
    missing, miss_sql = _missing_members(con, [pair.union_code], indicator, pair.year_from, pair.year_to)
    rows["province"] = rows["province_code"].map(names)
    rows["partner"] = rows["partner_province_code"].map(names)
    charts = []
    for year in _heatmap_years(pair):
        lacking = missing.get((pair.union_code, year), [])
        mark = f" {INCOMPLETE_MARK} incomplete: {_name_list(lacking, names)} missing" if lacking else ""
        for column, title in (
            ("krugman_bilateral", "Bilateral Krugman index 地区间专业化指数"),
            ("structural_similarity", "Structural similarity 结构相似系数"),
        ):
            data = rows[rows["year"] == year].pivot_table(
                index="province_code", columns="partner_province_code", values=column
            )
            data = data.rename(index=names, columns=names)
            charts.append(Chart("heatmap", f"{title}, {year}{mark}", data, {"fmt": "{:.3f}"}))
    lacking_years = {y: missing[(pair.union_code, y)] for y in _heatmap_years(pair) if (pair.union_code, y) in missing}
    notes = []
    if lacking_years:
        notes.append(
            _claim(
                claims,
                "bilateral_incomplete",
                f"{INCOMPLETE_MARK} Heatmaps of an incomplete year lack a province: "
                f"{_years_text(lacking_years, names)}.",
                sorted(lacking_years),
                miss_sql,
            )
        )
    return Section(
        4,
        "地区间专业化与结构相似",
        "Bilateral specialization and structural similarity",
        {
            "indicator": indicator,
            "universe": f"{names.get(pair.union_code, pair.union_code)} (the provinces of both groups)",
            "industry set": f"{pair.pair_set}: the divisions both groups report in every year "
            f"({_set_sizes(con, [pair.union_code], pair.pair_set, indicator)})",
            "coverage": _coverage_range(rows),
        },
        tables={"bilateral": rows},
        charts=charts,
        workbook_only={"bilateral"},
        notes=notes,
        claims=claims,
    )


def _heatmap_years(pair: ComparisonPair) -> tuple[int, ...]:
    """The years of the per-year heatmaps: those chosen (make report YEARS=...), else both ends."""
    return pair.heatmap_years or (pair.year_from, pair.year_to)


def location_quotients(con, pair: ComparisonPair, indicator: str) -> Section:
    names, claims = _names(con), []
    rows = _df(
        con,
        """
        select l.industry_code, i.name_zh as industry_zh, i.name_en as industry_en, l.province_code,
            p.name_short_zh, p.name_en, l.lq, l.is_specialised, l.coverage, l.is_universe_complete
        from mart_location_quotient_by_set as l
        join dim_province as p using (province_code)
        join dim_industry as i using (industry_code)
        where l.universe_code = ? and l.industry_set = ? and l.indicator = ? and l.year = ?
        order by l.industry_code, l.province_code
        """,
        [pair.union_code, pair.pair_set, indicator, pair.year_to],
    )
    missing, miss_sql = _missing_members(con, [pair.union_code], indicator, pair.year_to, pair.year_to)
    lacking = missing.get((pair.union_code, pair.year_to), [])
    mark = f" {INCOMPLETE_MARK} incomplete: {_name_list(lacking, names)} missing" if lacking else ""
    notes = []
    if lacking:
        notes.append(
            _claim(claims, "lq_incomplete", f"{INCOMPLETE_MARK} {pair.year_to}: {mark.strip()}.", lacking, miss_sql)
        )
    # chart labels: division code and English name (the Chinese names are in the workbook's table);
    # columns: the provinces in Chinese and English
    division = rows["industry_code"] + " " + rows["industry_en"].str.slice(0, 45)
    province = rows["name_short_zh"] + " " + rows["name_en"]
    matrix = rows.assign(division=division, province=province).pivot_table(
        index="division", columns="province", values="lq", sort=False
    )
    return Section(
        5,
        "区位商（行业 × 省份）",
        "Location quotients, division × province",
        {
            "indicator": indicator,
            "universe": f"{names.get(pair.union_code, pair.union_code)}: each province against the two groups' total",
            "industry set": f"{pair.pair_set} ({_set_sizes(con, [pair.union_code], pair.pair_set, indicator)})",
            "coverage": _coverage_range(rows),
        },
        tables={"location_quotients": rows},
        charts=[
            Chart(
                "heatmap",
                f"Location quotient 区位商, {pair.year_to} (LQ > 1 marked ●){mark}",
                matrix,
                {"fmt": "{:.2f}", "mark_above": 1.0},
            )
        ],
        workbook_only={"location_quotients"},
        notes=notes,
        claims=claims,
    )


def hightech(con, pair: ComparisonPair, indicator: str) -> Section:
    names, claims = _names(con), []
    levels_sql = """
        select group_code, year, sum_of_members as hightech_revenue, unit, n_members_reporting, n_members,
            share_of_nation, series_basis
        from mart_hightech_group
        where group_code in (?, ?) and indicator = 'hightech_revenue' and year between ? and ?
        order by group_code = ? desc, year
        """
    levels_params = [pair.a, pair.b, pair.year_from, pair.year_to, pair.a]
    levels = _df(con, levels_sql, levels_params)
    levels["is_complete"] = levels["n_members_reporting"] == levels["n_members"]
    years = sorted(int(y) for y in levels["year"].unique())
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
            [pair.a, pair.b, years[0], years[-1], pair.a],
        )
    notes = []
    if len(years) < len(_years(pair)):
        consecutive = years and years == list(range(years[0], years[-1] + 1))
        span = (
            (str(years[0]) if len(years) == 1 else f"{years[0]}–{years[-1]}")
            if consecutive
            else ", ".join(map(str, years))
        )
        growth_text = (
            f"growth is taken between {years[0]} and {years[-1]}."
            if len(years) >= 2
            else "no growth rate can be taken from fewer than two years."
        )
        notes.append(
            _claim(
                claims,
                "hightech_years",
                f"High-tech revenue is published for {len(years)} of the {len(_years(pair))} data years "
                f"{pair.year_from}–{pair.year_to}: {span or 'none'} (data years, not yearbook editions); "
                + growth_text,
                years,
                levels_sql,
                levels_params,
            )
        )
    short = levels[~levels["is_complete"]]
    notes.append(
        _claim(
            claims,
            "hightech_members",
            "Every member reports in every year shown."
            if short.empty
            else "Years with a member not reporting (marked †): "
            + "; ".join(f"{names.get(r.group_code, r.group_code)} {r.year}" for r in short.itertuples()),
            len(short),
            levels_sql,
            levels_params,
        )
    )
    levels.insert(1, "group_name", levels["group_code"].map(names))
    marks = {(i, "hightech_revenue") for i, ok in enumerate(levels["is_complete"]) if not ok}
    chart_incomplete = {
        names.get(g, g): set(levels[(levels.group_code == g) & ~levels.is_complete].year) for g in (pair.a, pair.b)
    }
    return Section(
        6,
        "高技术产业营业收入",
        "High-tech industry revenue, share of the nation and growth",
        {
            "indicator": "hightech_revenue (高技术产业营业收入/主营业务收入, 亿元)",
            "universe": f"{names.get(pair.a, pair.a)}, {names.get(pair.b, pair.b)} (members' sums); "
            "nation = 31 provinces",
            "industry set": "high-tech manufacturing as the yearbook defines it (series basis per data year)",
            "coverage": "every member reports in every year shown"
            if levels["is_complete"].all()
            else "some years miss a member (n_members_reporting)",
        },
        tables={"hightech_revenue": levels, "hightech_growth": growth},
        incomplete_cells={"hightech_revenue": marks},
        charts=[
            Chart(
                "line",
                "High-tech revenue 高技术产业营业收入",
                levels.pivot_table(index="year", columns="group_name", values="hightech_revenue", sort=False),
                {"ylabel": unit_label("亿元"), "incomplete": chart_incomplete},
            )
        ],
        notes=notes,
        claims=claims,
    )


def concentration(con, pair: ComparisonPair, indicator: str, include_incomplete: bool = False) -> Section:
    names, claims = _names(con), []
    yearly_sql = """
        select year, avg(locational_gini) as mean_locational_gini, avg(hoover_localization) as mean_hoover,
            count(*) as n_divisions, bool_and(is_universe_complete) as is_universe_complete,
            min(n_members_present) as n_members_present, any_value(n_members) as n_members
        from mart_industry_concentration_by_set
        where universe_code = ? and industry_set = ? and indicator = ? and year between ? and ?
        group by year
        order by year
        """
    yearly_params = [pair.union_code, pair.pair_set, indicator, pair.year_from, pair.year_to]
    yearly = _df(con, yearly_sql, yearly_params)
    missing, _ = _missing_members(con, [pair.union_code], indicator, pair.year_from, pair.year_to)
    left_out = yearly[~yearly["is_universe_complete"].astype(bool)]
    left_years = {int(y): missing.get((pair.union_code, int(y)), []) for y in left_out["year"]}
    fits, fit_rows = [], []
    for column, label in (("mean_locational_gini", "mean locational Gini"), ("mean_hoover", "mean Hoover")):
        for sample in ("complete years", "all years"):
            frame = yearly if sample == "all years" else yearly[yearly["is_universe_complete"].astype(bool)]
            row = {
                "series": label,
                "sample": sample + (" (default)" if (sample == "all years") == include_incomplete else ""),
            }
            try:
                fit = fit_quadratic(frame["year"], frame[column], origin=pair.year_from, expect="maximum")
            except FitError as exc:
                fit_rows.append(row | {"turning_point_note": str(exc)})
                continue
            fit_rows.append(row | fit.as_row())
            if (sample == "all years") == include_incomplete:
                fits.append(fit)
    fit_table = pd.DataFrame(fit_rows)
    notes = [
        "Fit y = b0 + b1·t + b2·t² by OLS on t = year − "
        f"{pair.year_from}, HC1 standard errors (statsmodels). The turning point −b1/(2·b2) with a delta-method 95 % "
        "interval is an inverted U only if b2 < 0 and it lies inside the years fitted; otherwise the table says "
        "why there is none. With so few years it describes the series and tests little."
    ]
    default = "all years" if include_incomplete else "complete years"
    text = f"The default fit uses the {default}: " + (
        f"{len(left_years)} incomplete universe-year{'s' if len(left_years) != 1 else ''} "
        + ("kept in" if include_incomplete else "left out")
        + f" ({_years_text(left_years, names)}); in them the mean is over a universe lacking a member."
        if left_years
        else "no year is incomplete."
    )
    notes.append(_claim(claims, "fit_left_out", text, sorted(left_years), yearly_sql, yearly_params))
    for fit, label in zip(fits, ("mean locational Gini", "mean Hoover"), strict=False):
        tp = fit.turning_point
        notes.append(
            _claim(
                claims,
                f"turning_point_{label.split()[-1].lower()}",
                f"{label}: {tp.describe()} (n = {fit.n}, R² = {fit.r_squared:.3f}).",
                tp.value if tp.interior else None,
                yearly_sql,
                yearly_params,
            )
        )
    chart_data = yearly.set_index("year")[["mean_locational_gini", "mean_hoover"]].rename(
        columns={
            "mean_locational_gini": "mean locational Gini 区位基尼系数均值",
            "mean_hoover": "mean Hoover 胡佛系数均值",
        }
    )
    return Section(
        7,
        "产业集中度（区位基尼系数、胡佛系数）",
        "Industry concentration over time (locational Gini, Hoover)",
        {
            "indicator": indicator,
            "universe": f"{names.get(pair.union_code, pair.union_code)}: concentration of each division across the "
            "provinces of both groups",
            "industry set": f"{pair.pair_set} ({_set_sizes(con, [pair.union_code], pair.pair_set, indicator)}); "
            "the yearly value is the mean over the set's divisions",
            "coverage": "means over the divisions of the set; per-division values in mart_industry_concentration_by_set"
            + (f"; {len(left_years)} incomplete years marked †" if left_years else ""),
        },
        tables={"concentration": yearly, "quadratic_fit": fit_table},
        incomplete_cells={
            "concentration": {
                (i, c)
                for i, ok in enumerate(yearly["is_universe_complete"])
                if not ok
                for c in ("mean_locational_gini", "mean_hoover")
            }
        },
        charts=[
            Chart(
                "quadratic",
                "Mean concentration with fitted quadratic 集中度与二次拟合",
                chart_data,
                {
                    "fits": fits,
                    "fit_label": f"quadratic fit, {default}",
                    "incomplete": {c: set(left_years) for c in chart_data.columns},
                    "ylabel": "index (0–1)",
                },
            )
        ],
        notes=notes,
        claims=claims,
    )


def shift_share(con, pair: ComparisonPair, indicator: str) -> Section:
    names, claims, unit = _names(con), [], _unit(con, indicator)
    rows = _df(
        con,
        """
        select s.province_code, p.name_short_zh, p.name_en, s.base_year, s.year, s.base_value, s.value, s.change,
            s.national_share, s.industry_mix, s.regional_share, s.universe_growth, s.n_industries,
            s.is_universe_complete, s.crosses_series_break, s.null_reason
        from mart_shift_share_by_set as s
        join dim_province as p using (province_code)
        where s.universe_code = ? and s.industry_set = ? and s.indicator = ? and s.base_year = ? and s.year = ?
        order by s.province_code
        """,
        [pair.union_code, pair.pair_set, indicator, pair.year_from, pair.year_to],
    )
    members = _members(con, pair.union_code)
    missing, miss_sql = _missing_members(con, [pair.union_code], indicator, pair.year_from, pair.year_to)
    absent = sorted(set(members) - set(rows["province_code"]))
    details = []
    for code in absent:
        years = [y for y in (pair.year_from, pair.year_to) if code in missing.get((pair.union_code, y), [])]
        details.append(
            f"{names.get(code, code)} has no data in {' and '.join(map(str, years))}"
            if years
            else f"{names.get(code, code)} is not in the decomposition"
        )
    coverage_text = f"members with data in both years: {len(rows)} of {len(members)}" + "".join(
        f"; {d}" for d in details
    )
    _claim(claims, "shift_share_members", coverage_text, len(rows), miss_sql)
    notes = []
    lacking_base = missing.get((pair.union_code, pair.year_from), [])
    if lacking_base:
        notes.append(
            _claim(
                claims,
                "shift_share_reference",
                f"{INCOMPLETE_MARK} The reference universe lacks {_name_list(lacking_base, names)} in "
                f"{pair.year_from}: its growth is that of the {len(members) - len(lacking_base)} other members.",
                lacking_base,
                miss_sql,
            )
        )
    rows.insert(3, "province", rows["name_short_zh"] + " " + rows["name_en"])
    return Section(
        8,
        "偏离—份额分解",
        f"Shift-share decomposition {pair.year_from}–{pair.year_to}",
        {
            "indicator": f"{indicator} ({unit_label(unit)})",
            "universe": f"{names.get(pair.union_code, pair.union_code)}: growth of the two groups together is the "
            "reference",
            "industry set": f"{pair.pair_set}: the same divisions in both years "
            f"({_set_sizes(con, [pair.union_code], pair.pair_set, indicator)})",
            "coverage": coverage_text,
        },
        tables={"shift_share": rows},
        read_from={"national_share": "mart_shift_share_by_set"},
        charts=[
            Chart(
                "stacked_bar",
                "Shift-share components 偏离—份额分量"
                + (
                    f" {INCOMPLETE_MARK} reference lacks {_name_list(lacking_base, names)} in {pair.year_from}"
                    if lacking_base
                    else ""
                ),
                rows.set_index("province")[["national_share", "industry_mix", "regional_share"]].rename(
                    columns={
                        "national_share": "national share 全国份额",
                        "industry_mix": "industry mix 产业结构",
                        "regional_share": "regional share 竞争力",
                    }
                ),
                {"ylabel": unit_label(unit), "signed": True},
            )
        ],
        notes=notes,
        claims=claims,
    )


STATUS_TEXT = {
    "not_in_export": "no series in the export",
    "missing": "blank cell",
    "suppressed": "suppressed (***)",
    "quarantined": "quarantined",
}
DROPPED_SQL = """
    with dropped as (
        select distinct universe_code, year, industry_code
        from mart_division_availability
        where universe_code in ({universes}) and indicator = ? and year between ? and ?
            and status = 'dropped_by_common_support'
    ),
    lacking as (
        -- members with data that year that lack the division; a member without any data is no cause
        select distinct a.universe_code, a.year, a.industry_code, a.province_code, a.status
        from mart_division_availability as a
        join dropped using (universe_code, year, industry_code)
        where a.status not in ('in_set', 'dropped_by_common_support', 'member_without_data', 'province_year_withheld')
    )
    select d.universe_code, d.year, d.industry_code, i.name_zh as industry_zh, i.name_en as industry_en,
        count(distinct l.province_code) as n_members_lacking,
        list(distinct l.province_code order by l.province_code) as members_lacking,
        list(distinct l.status order by l.status) as statuses,
        list(distinct l.province_code || ':' || l.status order by l.province_code || ':' || l.status)
            as lacking_detail,
        case
            when bool_and(l.status = 'not_in_export') then 'absent from the export'
            when count(distinct l.province_code) = 1 and bool_and(l.status = 'missing') then 'one blank cell'
            when count(distinct l.province_code) = 1 and bool_and(l.status = 'suppressed') then 'one suppressed cell'
            else 'blank, suppressed or absent in several members'
        end as cause
    from dropped as d
    join dim_industry as i using (industry_code)
    left join lacking as l using (universe_code, year, industry_code)
    group by all
    order by d.universe_code, d.year, d.industry_code
"""


def caveats(con, pair: ComparisonPair, indicator: str) -> Section:
    names, claims = _names(con), []
    members = sorted(set(_members(con, pair.a)) | set(_members(con, pair.b)))
    in_members = ", ".join(f"'{m}'" for m in members)
    f, t = pair.year_from, pair.year_to
    universes = [pair.a, pair.b, pair.union_code]
    by_year = _df(
        con,
        """
        select universe_code, industry_set, year, any_value(n_industries) as n_industries,
            bool_and(is_universe_complete) as is_universe_complete
        from mart_specialization_relative_by_set
        where universe_code in (?, ?, ?) and indicator = ? and year between ? and ?
        group by all
        """,
        [*universes, indicator, f, t],
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
    # incomplete universe-years, each once whatever the number of industry sets
    incomplete_sql = """
        select universe_code, year, list(distinct industry_set order by industry_set) as industry_sets
        from mart_specialization_relative_by_set
        where universe_code in (?, ?, ?) and indicator = ? and year between ? and ? and not is_universe_complete
        group by all
        order by universe_code, year
        """
    incomplete_params = [*universes, indicator, f, t]
    incomplete = _df(con, incomplete_sql, incomplete_params)
    missing, _ = _missing_members(con, universes, indicator, f, t)
    incomplete.insert(
        2,
        "members_missing",
        [
            _name_list(missing.get((u, y), []), names)
            for u, y in zip(incomplete.universe_code, incomplete.year, strict=True)
        ],
    )
    incomplete.insert(1, "universe_name", incomplete["universe_code"].map(names))
    text = (
        f"{len(incomplete)} incomplete universe-year{'s' if len(incomplete) != 1 else ''}, each counted once: "
        + "; ".join(
            f"{names.get(r.universe_code, r.universe_code)} {r.year} ({r.members_missing or 'a member'} missing)"
            for r in incomplete.itertuples()
        )
        if len(incomplete)
        else "No incomplete universe-year: every member has data in every year."
    )
    notes = [_claim(claims, "incomplete_universe_years", text, len(incomplete), incomplete_sql, incomplete_params)]

    dropped_sql = DROPPED_SQL.format(universes="?, ?")
    dropped_params = [pair.a, pair.b, indicator, f, t]
    dropped = _df(con, dropped_sql, dropped_params)
    dropped.insert(1, "universe_name", dropped["universe_code"].map(names))
    dropped["members_lacking"] = dropped["members_lacking"].map(lambda m: _name_list(list(m), names))
    dropped["lacking_detail"] = dropped["lacking_detail"].map(
        lambda items: "; ".join(
            f"{names.get(code, code)}: {STATUS_TEXT.get(status, status)}"
            for code, status in (item.split(":", 1) for item in items)
        )
    )
    causes = dropped["cause"].value_counts().to_dict()
    order = [
        "absent from the export",
        "one blank cell",
        "one suppressed cell",
        "blank, suppressed or absent in several members",
    ]
    if len(dropped):
        parts = []
        for cause in order:
            n = causes.get(cause, 0)
            if not n:
                continue
            part = f"{n} {cause}"
            if cause in ("one blank cell", "one suppressed cell"):
                part += (
                    " ("
                    + "; ".join(
                        f"{r.members_lacking} {r.year} {r.industry_code}"
                        for r in dropped[dropped.cause == cause].itertuples()
                    )
                    + ")"
                )
            parts.append(part)
        several = int((dropped["n_members_lacking"] > 1).sum())
        text = (
            f"{len(dropped)} division-years left out of a group's year-by-year common set because a member with data "
            f"that year lacks them: " + ", ".join(parts) + f". {several} of them lack the division in two or more "
            "members (named in the table)."
        )
    else:
        text = "No division is left out of a group's common set by a member lacking it."
    notes.append(_claim(claims, "divisions_left_out", text, causes, dropped_sql, dropped_params))

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
    quarantined_sql = f"""
        select * from fct_quarantine
        where province_code in ({in_members}) and year between ? and ?
        order by province_code, year
        """
    quarantined = _df(con, quarantined_sql, [f, t])
    notes.append(
        _claim(
            claims, "quarantined", f"{len(quarantined)} quarantined values.", len(quarantined), quarantined_sql, [f, t]
        )
    )
    # a member kept out of every universe of a year is named, not only counted
    withheld_sql, withheld_params = withheld_province_years_query(members, (f, t))
    withheld = withheld_province_years(con, members, (f, t))
    notes.append(
        _claim(
            claims,
            "withheld_province_years",
            (
                f"{len(withheld)} province-year{'s' if len(withheld) != 1 else ''} kept out of the metric universes "
                "by the quality policy (no LQ, Krugman or other universe metric includes them): "
                + "; ".join(f"{w.name_zh} {w.name_en} {w.year}, {w.indicator}: {w.quarantine_reason}" for w in withheld)
                + "."
            )
            if withheld
            else "No province-year of the groups' members is kept out of the metric universes in the span.",
            [(w.province_code, w.year, w.indicator, w.quarantine_reason) for w in withheld],
            withheld_sql,
            withheld_params,
        )
    )
    breaks_sql = """
        select break_code, indicator, first_year, name_en as description_en, name_zh as description_zh
        from dim_statistical_break
        where first_year > ? and first_year <= ? and (indicator is null or indicator = ?)
        order by first_year, break_code
        """
    breaks = _df(con, breaks_sql, [f, t, indicator])
    notes.append(
        _claim(
            claims,
            "known_breaks",
            f"{len(breaks)} known breaks in the span"
            + (": " + ", ".join(f"{r.break_code} ({r.first_year})" for r in breaks.itertuples()) if len(breaks) else "")
            + ".",
            len(breaks),
            breaks_sql,
            [f, t, indicator],
        )
    )
    shifts_sql = f"""
        select * from mart_level_shift
        where province_code in ({in_members}) and year > ? and year <= ? and indicator = ? and is_level_shift
        order by province_code, year
        """
    shifts = _df(con, shifts_sql, [f, t, indicator])
    notes.append(
        _claim(
            claims,
            "level_shifts",
            f"{len(shifts)} detected level shifts in the span.",
            len(shifts),
            shifts_sql,
            [f, t, indicator],
        )
    )
    return Section(
        9,
        "覆盖范围与注意事项",
        "Coverage and caveats",
        {
            "indicator": indicator,
            "universe": ", ".join(names.get(u, u) for u in universes),
            "industry set": "year_common, " + pair.span_set + ", " + pair.pair_set,
            "coverage": f"{len(incomplete)} incomplete universe-years; {len(dropped)} division-years left out of a "
            f"group's common set; {len(quarantined)} quarantined values; {len(breaks)} known breaks and "
            f"{len(shifts)} detected level shifts in the span",
        },
        notes=notes,
        claims=claims,
        tables={
            "incomplete_universe_years": incomplete,
            "industry_sets": sets,
            "divisions_left_out": dropped,
            "coverage_ratios": coverage,
            "quarantined_values": quarantined,
            "series_breaks": breaks,
            "level_shifts": shifts,
        },
        workbook_only={"coverage_ratios"},
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
    from .integration_section import integration as _integration  # section 10; imports this module

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
        sections=[section(con, pair, indicator) for section in SECTIONS] + [_integration(con, pair, indicator)],
        published_at=str(published),
        unit=_unit(con, indicator),
    )
