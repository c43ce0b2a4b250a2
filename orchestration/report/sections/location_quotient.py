"""Section 5: location quotients, division × province (mart_location_quotient_by_set)."""

from __future__ import annotations

from textwrap import shorten

from ...settings import ComparisonPair
from .lookups import (
    coverage_range,
    display_names,
    in_group_order,
    missing_members,
    name_list,
    read_frame,
    set_sizes,
)
from .shapes import INCOMPLETE_MARK, Chart, Section, add_claim


def location_quotients(con, pair: ComparisonPair, indicator: str) -> Section:
    names, claims = display_names(con), []
    rows = read_frame(
        con,
        """
        select l.year, l.industry_code, i.name_zh as industry_zh, i.name_en as industry_en, l.province_code,
            p.name_short_zh, p.name_en, l.lq, l.is_specialised, l.coverage, l.is_universe_complete
        from mart_location_quotient_by_set as l
        join dim_province as p using (province_code)
        join dim_industry as i using (industry_code)
        where l.universe_code = ? and l.industry_set = ? and l.indicator = ? and l.year = ?
        order by l.industry_code, l.province_code
        """,
        [pair.union_code, pair.pair_set, indicator, pair.year_to],
    )
    # within each division the first group's provinces, then the second's: the heatmap's columns in two blocks
    rows = in_group_order(con, pair, rows).sort_values("industry_code", kind="stable").reset_index(drop=True)
    missing, miss_sql = missing_members(con, [pair.union_code], indicator, pair.year_to, pair.year_to)
    lacking = missing.get((pair.union_code, pair.year_to), [])
    mark = f" {INCOMPLETE_MARK} incomplete: {name_list(lacking, names)} missing" if lacking else ""
    notes = []
    if lacking:
        notes.append(
            add_claim(claims, "lq_incomplete", f"{INCOMPLETE_MARK} {pair.year_to}: {mark.strip()}.", lacking, miss_sql)
        )
    # chart labels: division code and English name (the Chinese names are in the workbook's table);
    # columns: the provinces in Chinese and English
    # long names are cut at a word and end in an ellipsis, so a cut name does not pass for a whole one
    division = rows["industry_code"] + " " + rows["industry_en"].map(lambda n: shorten(n, 46, placeholder=" …"))
    province = rows["name_short_zh"] + " " + rows["name_en"]
    labelled = rows.assign(division=division, province=province)
    matrix = labelled.pivot_table(index="division", columns="province", values="lq", sort=False)
    columns = in_group_order(con, pair, labelled.drop_duplicates("province_code"))["province"]
    matrix = matrix[[c for c in columns if c in matrix.columns]]
    return Section(
        5,
        "区位商（行业 × 省份）",
        "Location quotients, division × province",
        {
            "indicator": indicator,
            "universe": f"{names.get(pair.union_code, pair.union_code)}: each province against the two groups' total",
            "industry set": f"{pair.pair_set} ({set_sizes(con, [pair.union_code], pair.pair_set, indicator)})",
            "coverage": coverage_range(rows, [pair.year_to]),
        },
        tables={"location_quotients": rows},
        charts=[
            Chart(
                "heatmap",
                f"Location quotient 区位商, {pair.year_to} (LQ ≥ 1 marked ●){mark}",
                matrix,
                {"fmt": "{:.2f}", "mark_from": 1.0},
            )
        ],
        workbook_only={"location_quotients"},
        notes=notes,
        claims=claims,
    )
