"""Section 2: factor-intensity shares by province and period (mart_intensity_shares_by_set)."""

from __future__ import annotations

import pandas as pd

from ...settings import ComparisonPair
from .lookups import coverage_range, display_names, incomplete_universe_years, read_frame, set_sizes
from .shapes import INCOMPLETE_MARK, Chart, Section, add_claim

# how much of each class the set holds: the divisions of the class in the set vs in the classification
CLASS_COVERAGE_SQL = """
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


def intensity_shares(con, pair: ComparisonPair, indicator: str) -> Section:
    names, claims, notes = display_names(con), [], []
    shares = _shares(con, pair, indicator)
    classes = _class_coverage(con, pair, indicator, names, claims, notes)
    incomplete, inc_sql, inc_params = incomplete_universe_years(
        con, [pair.a, pair.b], pair.span_set, indicator, pair.year_from, pair.year_to
    )
    shares["is_universe_complete"] = [
        y not in incomplete.get(u, ()) for u, y in zip(shares["universe_code"], shares["year"], strict=True)
    ]
    wide = _shares_by_year(shares)
    marks = {(i, y) for i, u in enumerate(wide["universe_code"]) for y in incomplete.get(u, set()) if y in wide.columns}
    if any(incomplete.values()):
        notes.append(
            add_claim(
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
            f"{pair.year_from}–{pair.year_to} ({set_sizes(con, [pair.a, pair.b], pair.span_set, indicator)})",
            "coverage": coverage_range(shares),
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
                _end_year_bars(shares, pair, incomplete),
                {"ylabel": "% of the industry set", "legend_title": "intensity class 要素密集类型"},
            )
        ],
    )


def _shares(con, pair: ComparisonPair, indicator: str) -> pd.DataFrame:
    """Each member's share of each intensity class in the first, middle and last year; a class with no
    division in the set (unclassified: 43 repair) has no share to show, not a share of 0."""
    years = [pair.year_from, (pair.year_from + pair.year_to) // 2, pair.year_to]
    return read_frame(
        con,
        f"""
        select s.universe_code, s.province_code, p.name_short_zh, p.name_en, s.year, s.intensity_class,
            s.share, s.n_industries_in_class, s.n_industries, s.coverage
        from mart_intensity_shares_by_set as s
        join dim_province as p using (province_code)
        where s.universe_code in (?, ?) and s.industry_set = ? and s.indicator = ?
            and s.year in ({", ".join(str(y) for y in years)}) and s.n_industries_in_class > 0
        order by s.universe_code = ? desc, s.province_code, s.year, s.intensity_class
        """,
        [pair.a, pair.b, pair.span_set, indicator, pair.a],
    )


def _class_coverage(con, pair: ComparisonPair, indicator: str, names: dict, claims: list, notes: list) -> pd.DataFrame:
    """The divisions of each class in the set; a class the set holds only in part is named with what it lacks."""
    params = [pair.a, pair.b, pair.span_set, indicator, pair.year_from, pair.year_to, pair.a, pair.b, pair.a]
    classes = read_frame(con, CLASS_COVERAGE_SQL, params)
    for row in classes.itertuples():
        if row.n_in_set < row.n_divisions:
            text = (
                f"{names.get(row.universe_code, row.universe_code)}: the {row.intensity_class}-intensive class holds "
                f"{row.n_in_set} of its {row.n_divisions} divisions in the set; not in it: "
                f"{', '.join(list(row.not_in_set if row.not_in_set is not None else []))}. Its share covers only those."
            )
            notes.append(
                add_claim(
                    claims,
                    f"class_coverage_{row.universe_code}_{row.intensity_class}",
                    text,
                    f"{row.n_in_set}/{row.n_divisions}",
                    CLASS_COVERAGE_SQL,
                    params,
                )
            )
    return classes


def _shares_by_year(shares: pd.DataFrame) -> pd.DataFrame:
    """Universe, province and class × year: the shares as the HTML table shows them."""
    label = shares["name_short_zh"] + " " + shares["name_en"]
    return (
        shares.assign(province=label)
        .pivot_table(index=["universe_code", "province", "intensity_class"], columns="year", values="share", sort=False)
        .reset_index()
    )


def _end_year_bars(shares: pd.DataFrame, pair: ComparisonPair, incomplete: dict) -> pd.DataFrame:
    """The chart's bars: one per province and end year (marked † when incomplete), the classes stacked, in %."""
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
    return chart_data.pivot_table(index="bar", columns="intensity_class", values="share", sort=False) * 100
