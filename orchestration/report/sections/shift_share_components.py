"""Section 8: the shift-share decomposition of the span (mart_shift_share_by_set)."""

from __future__ import annotations

import pandas as pd

from ...settings import ComparisonPair
from ...withheld_province_years import withheld_province_years
from .lookups import (
    display_names,
    in_group_order,
    indicator_unit,
    member_codes,
    missing_members,
    name_list,
    read_frame,
    set_sizes,
)
from .shapes import INCOMPLETE_MARK, Chart, Section, add_claim, unit_label

COMPONENTS_SQL = """
    select s.province_code, p.name_short_zh, p.name_en, s.base_year, s.year, s.base_value, s.value, s.change,
        s.national_share, s.industry_mix, s.regional_share, s.universe_growth, s.n_industries,
        s.is_universe_complete, s.crosses_series_break, s.null_reason
    from mart_shift_share_by_set as s
    join dim_province as p using (province_code)
    where s.universe_code = ? and s.industry_set = ? and s.indicator = ? and s.base_year = ? and s.year = ?
    order by s.province_code
"""
# The reference is the pair's two groups together, never the nation: NS is named for what it is
# here (the published column keeps the literature's name, national_share).
COMPONENT_LABELS = {
    "national_share": "share effect NS 份额分量",
    "industry_mix": "industry mix IM 产业结构",
    "regional_share": "regional share RS 竞争力",
}


def shift_share(con, pair: ComparisonPair, indicator: str) -> Section:
    names, claims, unit = display_names(con), [], indicator_unit(con, indicator)
    rows = read_frame(con, COMPONENTS_SQL, [pair.union_code, pair.pair_set, indicator, pair.year_from, pair.year_to])
    rows = in_group_order(con, pair, rows)  # the first group's members, then the second's
    members = member_codes(con, pair.union_code)
    missing, miss_sql = missing_members(con, [pair.union_code], indicator, pair.year_from, pair.year_to)
    withheld = {
        (w.province_code, w.year): w.quarantine_reason
        for w in withheld_province_years(con, members, (pair.year_from, pair.year_to), indicator)
    }
    coverage_text = _members_text(rows, members, missing, withheld, pair, names)
    add_claim(claims, "shift_share_members", coverage_text, len(rows), miss_sql)
    notes = []
    # the universe's growth is taken over the members with data in both years: one lacking either
    # end year is out of the reference
    lacking = {y: missing.get((pair.union_code, y), []) for y in (pair.year_from, pair.year_to)}
    out = sorted(set(lacking[pair.year_from]) | set(lacking[pair.year_to]))
    lacking_text = " and ".join(f"{name_list(codes, names)} in {y}" for y, codes in lacking.items() if codes)
    if out:
        notes.append(
            add_claim(
                claims,
                "shift_share_reference",
                f"{INCOMPLETE_MARK} The reference universe lacks {lacking_text}: its growth is that of the "
                f"{len(members) - len(out)} other members, those with data in both years.",
                out,
                miss_sql,
            )
        )
    rows.insert(3, "province", rows["name_short_zh"] + " " + rows["name_en"])
    reference_mark = f" {INCOMPLETE_MARK} reference lacks {lacking_text}" if out else ""
    return Section(
        8,
        "偏离—份额分解",
        f"Shift-share decomposition {pair.year_from}–{pair.year_to}",
        {
            "indicator": f"{indicator} ({unit_label(unit)})",
            "universe": f"{names.get(pair.union_code, pair.union_code)}: growth of the two groups together is the "
            "reference",
            "industry set": f"{pair.pair_set}: the same divisions in both years "
            f"({set_sizes(con, [pair.union_code], pair.pair_set, indicator)})",
            "coverage": coverage_text,
        },
        tables={"shift_share": rows},
        read_from={"national_share": "mart_shift_share_by_set"},
        charts=[
            Chart(
                "stacked_bar",
                "Shift-share components 偏离—份额分量" + reference_mark,
                rows.set_index("province")[list(COMPONENT_LABELS)].rename(columns=COMPONENT_LABELS),
                {"ylabel": unit_label(unit), "signed": True},
            )
        ],
        notes=notes,
        claims=claims,
    )


def _members_text(
    rows: pd.DataFrame, members: list[str], missing: dict, withheld: dict, pair: ComparisonPair, names: dict
) -> str:
    """How many members the decomposition holds; each one it lacks named with the end year it has no
    data in, or whose data the quality policy withholds (with the reason)."""
    details = []
    for code in sorted(set(members) - set(rows["province_code"])):
        years = [y for y in (pair.year_from, pair.year_to) if code in missing.get((pair.union_code, y), [])]
        lacking = [
            f"is withheld in {y} ({withheld[(code, y)]})" if (code, y) in withheld else f"has no data in {y}"
            for y in years
        ]
        details.append(
            f"{names.get(code, code)} {' and '.join(lacking)}"
            if years
            else f"{names.get(code, code)} is not in the decomposition"
        )
    return f"members with data in both years: {len(rows)} of {len(members)}" + "".join(f"; {d}" for d in details)
