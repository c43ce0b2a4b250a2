"""Section 1: output levels, growth and provincial shares (mart_group_total, mart_group_growth)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ...settings import ComparisonPair
from ...statistics import FitError, fit_linear
from ...withheld_province_years import withheld_province_years, withheld_province_years_query
from .lookups import (
    display_names,
    growth_breaks_note,
    indicator_unit,
    member_codes,
    name_list,
    read_frame,
    span_years,
)
from .shapes import Chart, Section, add_claim, unit_label

PROVINCES_SQL = """
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
"""
TOTALS_SQL = """
    select t.group_code, t.year, t.group_total, t.n_members_present, t.n_members, t.is_complete,
        t.members_without_value, t.national_share, t.is_derived_total, t.null_reason
    from mart_group_total as t
    where t.group_code in (?, ?) and t.industry_code = 'C' and t.indicator = ? and t.year between ? and ?
    order by t.group_code = ? desc, t.year
"""
GROWTH_SQL = """
    select group_code, base_year, year, base_value, value, growth_rate, cagr, null_reason, series_breaks
    from mart_group_growth
    where group_code in (?, ?) and industry_code = 'C' and indicator = ? and base_year = ? and year = ?
    order by group_code = ? desc
"""
# why a group has no CAGR between the end years, by the null_reason of mart_group_growth
NO_CAGR_REASONS = {
    "base_missing": "the {f} total is missing or incomplete",
    "value_missing": "the {t} total is missing or incomplete",
    "group_incomplete": "a member is missing in an end year",
}


def output_levels(con, pair: ComparisonPair, indicator: str) -> Section:
    f, t = pair.year_from, pair.year_to
    names, unit, claims, notes = display_names(con), indicator_unit(con, indicator), [], []
    provinces = _provinces(con, pair, indicator, names)
    totals = _group_totals(con, pair, indicator, names, claims, notes)
    growth = read_frame(con, GROWTH_SQL, [pair.a, pair.b, indicator, f, t, pair.a])
    incomplete = _incomplete_group_years(totals, pair)
    if len(totals):
        _incomplete_notes(pair, indicator, incomplete, names, claims, notes)
    _cagr_notes(pair, indicator, growth, incomplete, names, claims, notes)
    members = member_codes(con, pair.a) + member_codes(con, pair.b)
    crossed = growth_breaks_note(con, f, t, indicator, "growth_crosses_breaks", claims, members)
    notes.extend([crossed] if crossed else [])
    trend = _trend_growth(totals, incomplete, pair, names)
    _withheld_values_shown(con, pair, indicator, claims, notes)
    if len(totals):
        notes.append(
            "Trend growth: OLS of ln(total) on the year over the complete years, growth = exp(b) − 1, "
            "HC1 standard error by the delta method, 95 % interval from the t interval of b."
        )
    wide = _output_wide(con, pair, indicator, totals, names)
    # without a manufacturing total (employment prints none) the totals are the members' division sums
    summed = "basis" in totals.columns
    chart_data = totals.pivot_table(index="year", columns="group_name", values="group_total", sort=False)
    chart_incomplete = {names.get(g, g): set(incomplete[g]) for g in (pair.a, pair.b)}
    return Section(
        1,
        "产出规模、增长与省份占比",
        "Output levels, growth and provincial shares",
        {
            "indicator": f"{indicator} ({unit_label(unit)})",
            "universe": f"{names.get(pair.a, pair.a)}, {names.get(pair.b, pair.b)} (members' sums)",
            "industry set": (
                "the manufacturing divisions each member reports, summed (no manufacturing total for this indicator)"
                if summed
                else "manufacturing total (C), printed or derived as 合计 minus mining and utilities"
            ),
            "coverage": _coverage_text(totals, pair),
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
        titles={"output_by_year": "制造业分行业加总，省份 × 年份 Sum of the manufacturing divisions, province × year"}
        if summed
        else {},
        read_from={"national_share": "mart_group_total"},
        incomplete_cells={
            "output_by_year": _wide_marks(wide, incomplete),
            "provinces": _province_marks(provinces, incomplete, f, t),
        },
        empty=_without_a_total(indicator, f, t) if summed else {},
        charts=[
            Chart(
                "line",
                (
                    f"Sum of the members' manufacturing divisions 制造业分行业加总, {indicator}"
                    if summed
                    else f"Manufacturing total 制造业合计, {indicator}"
                ),
                chart_data,
                {"ylabel": unit_label(unit), "incomplete": chart_incomplete},
            )
        ],
    )


def _without_a_total(indicator: str, f: int, t: int) -> dict[str, str]:
    """Why §1's growth tables are empty for an indicator without a manufacturing total: what they
    are published for, and where the section's numbers for it are instead."""
    return {
        "group_growth": (
            f"growth {f}–{t} is published for the manufacturing total (mart_group_growth), which {indicator} "
            "lacks; the trend growth is fitted to the members' division sums instead"
        ),
        "provinces": (
            "each province's share of its group and its growth are published for the manufacturing total "
            f"(mart_group_member_share, mart_growth), which {indicator} lacks; each province's division sums "
            "are in the table of levels by year"
        ),
    }


def _withheld_values_shown(con, pair: ComparisonPair, indicator: str, claims: list, notes: list) -> None:
    """The members' province-years of this indicator the quality policy keeps out of the metric universes:
    the tables below show their values as the source gives them (Qinghai's 2005 total, derived as 合计
    minus mining and utilities, is negative), so the section names them where the values appear."""
    members = member_codes(con, pair.union_code)
    span = (pair.year_from, pair.year_to)
    sql, params = withheld_province_years_query(members, span, indicator)
    withheld = withheld_province_years(con, members, span, indicator)
    if not withheld:
        return
    notes.append(
        add_claim(
            claims,
            "withheld_values_shown",
            "Shown as the source gives them, but kept out of every metric universe by the quality policy: "
            + "; ".join(f"{w.name_zh} {w.name_en} {w.year} ({w.quarantine_reason})" for w in withheld)
            + " (section 9, quarantined values and province-years).",
            [(w.province_code, w.year, w.quarantine_reason) for w in withheld],
            sql,
            params,
        )
    )


def _provinces(con, pair: ComparisonPair, indicator: str, names: dict) -> pd.DataFrame:
    """Each member's value and share of its group in the first and last year, with its growth between them."""
    f, t = pair.year_from, pair.year_to
    provinces = read_frame(con, PROVINCES_SQL, [f, f, pair.a, pair.b, indicator, t, pair.a])
    provinces.insert(1, "group_name", provinces["group_code"].map(names))
    provinces.insert(4, "province", provinces["name_short_zh"] + " " + provinces["name_en"])
    return provinces


def _group_totals(con, pair: ComparisonPair, indicator: str, names: dict, claims: list, notes: list) -> pd.DataFrame:
    """The groups' manufacturing totals by year; where none is published, the sums of the members' divisions,
    which a note says."""
    totals = read_frame(con, TOTALS_SQL, [pair.a, pair.b, indicator, pair.year_from, pair.year_to, pair.a])
    if not totals.empty:
        totals.insert(1, "group_name", totals["group_code"].map(names))
        totals["members_without_value"] = totals["members_without_value"].map(lambda m: name_list(list(m), names))
        return totals
    totals, sums_sql, sums_params = _division_sums(con, pair, indicator)
    totals.insert(1, "group_name", totals["group_code"].map(names))
    totals["members_without_value"] = totals["members_without_value"].map(lambda m: name_list(list(m), names))
    sizes = sorted({int(n) for ns in totals["divisions_per_member"] for n in ns})
    notes.append(
        add_claim(
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
    return totals


def _incomplete_group_years(totals: pd.DataFrame, pair: ComparisonPair) -> dict[str, dict[int, list[str]]]:
    """group -> {year: the members without a value} for each incomplete group-year."""
    return {
        group: {
            int(r.year): [c.strip() for c in str(r.members_without_value).split(",") if c.strip()]
            for r in totals[(totals.group_code == group) & ~totals.is_complete.astype(bool)].itertuples()
        }
        for group in (pair.a, pair.b)
    }


def _incomplete_notes(pair: ComparisonPair, indicator: str, incomplete: dict, names: dict, claims, notes) -> None:
    """Per group: its incomplete years named with the members missing, or that there is none."""
    f, t = pair.year_from, pair.year_to
    params = [pair.a, pair.b, indicator, f, t, pair.a]
    for group in (pair.a, pair.b):
        years = incomplete[group]
        text = (
            f"{names.get(group, group)}: {len(years)} of {t - f + 1} years incomplete — "
            + "; ".join(f"{y} ({', '.join(m) or 'a member'} missing)" for y, m in sorted(years.items()))
            + ". Drawn hollow and marked †; left out of the trend growth."
            if years
            else f"{names.get(group, group)}: every member has a value in every year {f}–{t}."
        )
        notes.append(add_claim(claims, f"incomplete_years_{group}", text, sorted(years), TOTALS_SQL, params))


def _cagr_notes(pair: ComparisonPair, indicator: str, growth, incomplete: dict, names: dict, claims, notes) -> None:
    """The CAGR between the end years, or why there is none (the end years' missing members named)."""
    f, t = pair.year_from, pair.year_to
    for row in growth.itertuples():
        if pd.notna(row.cagr):
            text = f"{names.get(row.group_code, row.group_code)}: CAGR {f}–{t} {row.cagr:.1%} a year."
        else:
            why = NO_CAGR_REASONS.get(row.null_reason, str(row.null_reason)).format(f=f, t=t)
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
            add_claim(
                claims, f"cagr_{row.group_code}", text, row.cagr, GROWTH_SQL, [pair.a, pair.b, indicator, f, t, pair.a]
            )
        )


def _trend_growth(totals: pd.DataFrame, incomplete: dict, pair: ComparisonPair, names: dict) -> pd.DataFrame:
    """Trend growth of each group's total on its complete years (log-linear, HC1), the incomplete ones left out."""
    trend_rows = []
    for group in (pair.a, pair.b):
        rows = totals[(totals.group_code == group) & totals.group_total.notna()]
        used = rows[rows.is_complete.astype(bool)]
        row = {"group_code": group, "group_name": names.get(group, group), "sample": "complete years"}
        try:
            fit = fit_linear(used.year, np.log(used.group_total.astype(float)), origin=pair.year_from)
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
    return pd.DataFrame(trend_rows)


def _coverage_text(totals: pd.DataFrame, pair: ComparisonPair) -> str:
    complete = (
        totals[totals["year"].isin([pair.year_from, pair.year_to])]["is_complete"].all() if len(totals) else False
    )
    if complete:
        return "both group totals complete in both end years"
    if totals.empty:
        return "no manufacturing total published for this indicator"
    return "a group total misses a member in an end year: its CAGR is null; the trend growth uses the complete years"


def _wide_marks(wide: pd.DataFrame, incomplete: dict) -> set:
    """The group's total of an incomplete group-year (the row whose code is the group's): a member's
    own value does not depend on the others, and a missing member has no value to mark."""
    return {
        (row_i, y)
        for row_i, (group, code) in enumerate(zip(wide["group_code"], wide["code"], strict=True))
        if code == group
        for y in incomplete.get(group, {})
        if y in wide.columns
    }


def _province_marks(provinces: pd.DataFrame, incomplete: dict, f: int, t: int) -> set:
    """The shares of an incomplete group-year: a share of a total that lacks a member. A member's own
    value and growth do not depend on the group, and a member without a value has none to mark."""
    columns = {f: ("share_of_group_from",), t: ("share_of_group_to",)}
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
    frame = read_frame(con, sql, params)
    for column in ("members_without_value", "divisions_per_member"):
        frame[column] = frame[column].map(lambda m: list(m) if isinstance(m, list | tuple | np.ndarray) else [])
    return frame, sql, params


def _output_wide(con, pair: ComparisonPair, indicator: str, totals: pd.DataFrame, names: dict) -> pd.DataFrame:
    """Province × year: each member's manufacturing total, then the group's; years as columns."""
    members = read_frame(
        con,
        """
        select s.group_code, s.province_code as code, s.year, s.value
        from mart_group_member_share as s
        where s.group_code in (?, ?) and s.industry_code = 'C' and s.indicator = ? and s.year between ? and ?
        """,
        [pair.a, pair.b, indicator, pair.year_from, pair.year_to],
    )
    if members.empty:  # no manufacturing total: the members' division sums, as in the group totals
        members = read_frame(
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
        for code in member_codes(con, group):
            rows.append(
                {"group_code": group, "code": code, "name": names.get(code, code)}
                | (part.loc[code].to_dict() if code in part.index else {})
            )
        total = totals[totals.group_code == group].set_index("year")["group_total"].to_dict()
        rows.append({"group_code": group, "code": group, "name": f"{names.get(group, group)} 合计 total"} | total)
    frame = pd.DataFrame(rows)
    years = [y for y in span_years(pair) if y in frame.columns]
    return frame[["group_code", "code", "name", *years]]
