"""Section 3: relative specialization, Krugman against the rest of the group (mart_specialization_relative_by_set)."""

from __future__ import annotations

import pandas as pd

from ...dbt_registry import group_mean_columns
from ...settings import ComparisonPair
from .lookups import coverage_range, display_names, incomplete_universe_years, read_frame, set_sizes
from .shapes import Chart, Section, add_claim

GROUP_MEANS_SQL = """
    select m.universe_code, m.year, m.mean_plain, m.mean_weighted, m.n_units, g.n_members
    from mart_group_index_mean as m
    join dim_region_group as g on g.group_code = m.universe_code
    where m.universe_code in (?, ?) and m.industry_set = ? and m.indicator = ? and m.index_name = 'krugman_vs_rest'
        and m.year between ? and ?
    order by m.universe_code = ? desc, m.year
"""


def relative_specialization(con, pair: ComparisonPair, indicator: str) -> Section:
    names, claims, notes = display_names(con), [], []
    rows = _region_indices(con, pair, indicator)
    means = read_frame(
        con, GROUP_MEANS_SQL, [pair.a, pair.b, pair.span_set, indicator, pair.year_from, pair.year_to, pair.a]
    )
    incomplete, inc_sql, inc_params = incomplete_universe_years(
        con, [pair.a, pair.b], pair.span_set, indicator, pair.year_from, pair.year_to
    )
    means["is_universe_complete"] = [
        y not in incomplete.get(u, ()) for u, y in zip(means.universe_code, means.year, strict=True)
    ]
    by_year = _krel_by_year(rows)
    marks = {
        (i, y) for i, u in enumerate(by_year["universe_code"]) for y in incomplete.get(u, set()) if y in by_year.columns
    }
    # both means of an incomplete universe-year rest on the members present
    mean_marks = {
        (i, column)
        for i, ok in enumerate(means["is_universe_complete"])
        if not ok
        for column in ("mean_plain", "mean_weighted")
    }
    series = _series_labels(by_year)
    chart = by_year.assign(series=series).set_index("series").drop(columns=["universe_code", "province"]).T
    chart_incomplete = {s: set(incomplete.get(u, set())) for u, s in zip(by_year["universe_code"], series, strict=True)}
    if any(incomplete.values()):
        notes.append(_incomplete_claim(incomplete, names, claims, inc_sql, inc_params))
    return Section(
        3,
        "相对专业化指数（克鲁格曼，相对于组内其他省份）",
        "Relative specialization (Krugman vs the rest of the group)",
        {
            "indicator": indicator,
            "universe": f"{names.get(pair.a, pair.a)}, {names.get(pair.b, pair.b)}: each province against the rest "
            "of its own group",
            "industry set": f"{pair.span_set} ({set_sizes(con, [pair.a, pair.b], pair.span_set, indicator)})",
            "coverage": coverage_range(rows),
        },
        tables={"krel_by_year": by_year, "krugman_vs_rest": rows, "group_means": means},
        charts=[
            Chart(
                "line",
                "Krugman relative specialization index Krel 相对专业化指数",
                chart,
                {
                    "ylabel": "Krel, index (0–2)",
                    "incomplete": chart_incomplete,
                    # solid lines for the first group's members, dashed for the second's
                    "groups": {s: int(u == pair.b) for u, s in zip(by_year["universe_code"], series, strict=True)},
                    "group_names": [names.get(pair.a, pair.a), names.get(pair.b, pair.b)],
                },
            )
        ],
        workbook_only={"krugman_vs_rest"},
        incomplete_cells={"krel_by_year": marks, "group_means": mean_marks},
        notes=notes,
        claims=claims,
    )


def _published_columns(con, table: str) -> set[str]:
    return {column[0] for column in con.execute(f"select * from {table} limit 0").description}


def _region_indices(con, pair: ComparisonPair, indicator: str) -> pd.DataFrame:
    """Each member's Krel by year, then every other region index of the mart.

    The mart's YAML flags those indices group_mean, so an index added there is in the workbook's table
    with its YAML label; a publication made before the index existed is read without it."""
    published = _published_columns(con, "mart_specialization_relative_by_set")
    indices = ["krugman_vs_rest"] + [
        c
        for c in group_mean_columns("mart_specialization_relative_by_set")
        if c != "krugman_vs_rest" and c in published
    ]
    return read_frame(
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


def _krel_by_year(rows: pd.DataFrame) -> pd.DataFrame:
    """Universe and province × year: Krel as the HTML table and the chart show it."""
    label = rows["name_short_zh"] + " " + rows["name_en"]
    return (
        rows.assign(province=label)
        .pivot_table(index=["universe_code", "province"], columns="year", values="krugman_vs_rest", sort=False)
        .reset_index()
    )


def _series_labels(by_year: pd.DataFrame) -> list[str]:
    """The chart's name of each row: the province, and its group's code when the province is a member of
    both groups (two series, Krel against the rest of each group)."""
    twice = by_year["province"].duplicated(keep=False)
    return [
        f"{province} ({universe})" if both else province
        for province, universe, both in zip(by_year["province"], by_year["universe_code"], twice, strict=True)
    ]


def _incomplete_claim(incomplete: dict, names: dict, claims: list, sql: str, params: list) -> str:
    """The incomplete universe-years, marked and drawn hollow, and what Krel means in them."""
    return add_claim(
        claims,
        "krel_incomplete",
        "Marked † and drawn hollow: "
        + "; ".join(f"{names.get(u, u)} in {', '.join(map(str, sorted(ys)))}" for u, ys in incomplete.items() if ys)
        + ", when the group lacks a member: Krel then compares a province with fewer others (with two "
        "members, both get the same value).",
        {u: sorted(ys) for u, ys in incomplete.items()},
        sql,
        params,
    )
