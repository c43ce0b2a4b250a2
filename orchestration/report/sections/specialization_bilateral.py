"""Section 4: bilateral specialization and structural similarity (mart_specialization_bilateral_by_set)."""

from __future__ import annotations

import pandas as pd

from ...settings import ComparisonPair
from .lookups import (
    coverage_range,
    display_names,
    member_codes,
    missing_members,
    name_list,
    read_frame,
    set_sizes,
    years_text,
)
from .shapes import INCOMPLETE_MARK, Chart, Section, add_claim


def bilateral(con, pair: ComparisonPair, indicator: str) -> Section:
    names, claims = display_names(con), []
    rows = read_frame(
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
    missing, miss_sql = missing_members(con, [pair.union_code], indicator, pair.year_from, pair.year_to)
    rows["province"] = rows["province_code"].map(names)
    rows["partner"] = rows["partner_province_code"].map(names)
    charts = _heatmaps(rows, missing, pair, names, set(member_codes(con, pair.a)))
    lacking_years = {y: missing[(pair.union_code, y)] for y in _heatmap_years(pair) if (pair.union_code, y) in missing}
    notes = []
    if lacking_years:
        notes.append(
            add_claim(
                claims,
                "bilateral_incomplete",
                f"{INCOMPLETE_MARK} Heatmaps of an incomplete year lack a province: "
                f"{years_text(lacking_years, names)}.",
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
            f"({set_sizes(con, [pair.union_code], pair.pair_set, indicator)})",
            "coverage": coverage_range(rows),
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


def _heatmaps(rows: pd.DataFrame, missing: dict, pair: ComparisonPair, names: dict, first: set[str]) -> list[Chart]:
    """Per heatmap year: bilateral Krugman and structural similarity, province × partner, the first group's
    provinces (`first`) before the second's on both axes, as §5 and §8 order them; an incomplete year says who
    is missing in its title."""
    charts = []
    # one colour scale per index across the years shown, so a colour means the same value in each
    scales = {c: (float(rows[c].min()), float(rows[c].max())) for c in ("krugman_bilateral", "structural_similarity")}
    for year in _heatmap_years(pair):
        lacking = missing.get((pair.union_code, year), [])
        mark = f" {INCOMPLETE_MARK} incomplete: {name_list(lacking, names)} missing" if lacking else ""
        for column, title in (
            ("krugman_bilateral", "Bilateral Krugman index 地区间专业化指数"),
            ("structural_similarity", "Structural similarity 结构相似系数"),
        ):
            data = rows[rows["year"] == year].pivot_table(
                index="province_code", columns="partner_province_code", values=column
            )
            order = sorted(data.index, key=lambda code: (code not in first, code))
            data = data.reindex(index=order, columns=order).rename(index=names, columns=names)
            low, high = scales[column]
            charts.append(
                Chart("heatmap", f"{title}, {year}{mark}", data, {"fmt": "{:.3f}", "vmin": low, "vmax": high})
            )
    return charts
