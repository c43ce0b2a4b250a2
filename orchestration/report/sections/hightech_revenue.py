"""Section 6: high-tech industry revenue, share of the nation and growth (mart_hightech_group)."""

from __future__ import annotations

import pandas as pd

from ...settings import ComparisonPair
from .lookups import display_names, growth_breaks_note, member_codes, read_frame, span_years
from .shapes import Chart, Section, add_claim, price_basis, unit_label

LEVELS_SQL = """
    select group_code, year, sum_of_members as hightech_revenue, unit, n_members_reporting, n_members,
        share_of_nation, series_basis
    from mart_hightech_group
    where group_code in (?, ?) and indicator = 'hightech_revenue' and year between ? and ?
    order by group_code = ? desc, year
"""
# the unit of the section's values whatever the report's indicator: the published unit column,
# this when there are no rows
HIGHTECH_UNIT = "亿元"
# the revenue label the yearbook tables print for the members' values, by year: 主营业务收入 until
# 2016, 营业收入 from 2018 (the section's title, 高技术产业收入, is neither)
PRINTED_LABEL_SQL = """
    select indicator_label_as_printed as label, min(year) as first_year, max(year) as last_year
    from fct_hightech_indicator
    where indicator = 'hightech_revenue' and region_code in (select unnest(?::varchar[])) and year between ? and ?
    group by all
    order by first_year
"""
GROWTH_SQL = """
    select group_code, base_year, year, base_value, value, growth_rate, cagr, crosses_series_break,
        series_breaks, null_reason
    from mart_hightech_group_growth
    where group_code in (?, ?) and indicator = 'hightech_revenue' and base_year = ? and year = ?
    order by group_code = ? desc
"""


def hightech(con, pair: ComparisonPair, indicator: str) -> Section:
    names, claims, notes = display_names(con), [], []
    levels_params = [pair.a, pair.b, pair.year_from, pair.year_to, pair.a]
    levels = read_frame(con, LEVELS_SQL, levels_params)
    levels["is_complete"] = levels["n_members_reporting"] == levels["n_members"]
    (unit,) = levels["unit"].dropna().unique() if len(levels) else (HIGHTECH_UNIT,)
    years = sorted(int(y) for y in levels["year"].unique())
    growth = pd.DataFrame()
    if len(years) >= 2:
        growth = read_frame(con, GROWTH_SQL, [pair.a, pair.b, years[0], years[-1], pair.a])
    if len(years) < len(span_years(pair)):
        notes.append(_years_claim(years, pair, claims, levels_params))
    if len(years) >= 2:
        crossed = growth_breaks_note(
            con, years[0], years[-1], "hightech_revenue", "hightech_growth_crosses_breaks", claims
        )
        notes.extend([crossed] if crossed else [])
    if len(years):
        notes.append(_printed_label_claim(con, pair, claims))
    short = levels[~levels["is_complete"]]
    notes.append(
        add_claim(
            claims,
            "hightech_members",
            "Every member reports in every year shown."
            if short.empty
            else "Years with a member not reporting (marked †): "
            + "; ".join(f"{names.get(r.group_code, r.group_code)} {r.year}" for r in short.itertuples()),
            len(short),
            LEVELS_SQL,
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
        "高技术产业收入",
        "High-tech industry revenue, share of the nation and growth",
        {
            "indicator": f"hightech_revenue (高技术产业收入, {unit}{price_basis(unit)}; "
            "the tables' own label is stated in the notes)",
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
                "High-tech revenue 高技术产业收入",
                levels.pivot_table(index="year", columns="group_name", values="hightech_revenue", sort=False),
                {"ylabel": unit_label(unit), "incomplete": chart_incomplete},
            )
        ],
        notes=notes,
        claims=claims,
        unit=unit,
    )


def _printed_label_claim(con, pair: ComparisonPair, claims: list) -> str:
    """What the tables call the revenue shown, as printed, with the years of each label."""
    params = [member_codes(con, pair.a) + member_codes(con, pair.b), pair.year_from, pair.year_to]
    labels = read_frame(con, PRINTED_LABEL_SQL, params)
    listed = "; ".join(
        f"{r.label} ({r.first_year}{'' if r.first_year == r.last_year else f'–{r.last_year}'})"
        for r in labels.itertuples()
    )
    return add_claim(
        claims,
        "hightech_printed_label",
        f"The yearbook tables label the members' values {listed}.",
        list(labels["label"]),
        PRINTED_LABEL_SQL,
        params,
    )


def _years_claim(years: list[int], pair: ComparisonPair, claims: list, params: list) -> str:
    """The data years high-tech revenue is published for, when fewer than the span's, and what growth that allows."""
    consecutive = years and years == list(range(years[0], years[-1] + 1))
    span = (
        (str(years[0]) if len(years) == 1 else f"{years[0]}–{years[-1]}") if consecutive else ", ".join(map(str, years))
    )
    growth_text = (
        f"growth is taken between {years[0]} and {years[-1]}."
        if len(years) >= 2
        else "no growth rate can be taken from fewer than two years."
    )
    return add_claim(
        claims,
        "hightech_years",
        f"High-tech revenue is published for {len(years)} of the {len(span_years(pair))} data years "
        f"{pair.year_from}–{pair.year_to}: {span or 'none'} (data years, not yearbook editions); " + growth_text,
        years,
        LEVELS_SQL,
        params,
    )
