"""Section 9: coverage and caveats: incomplete universe-years, divisions left out, quarantined
values, withheld province-years, breaks and level shifts."""

from __future__ import annotations

import pandas as pd

from ...settings import ComparisonPair
from ...withheld_province_years import withheld_province_years, withheld_province_years_query
from .lookups import (
    display_names,
    known_breaks,
    level_shifts,
    member_codes,
    missing_members,
    name_list,
    read_frame,
    with_province_names,
    year_list_text,
)
from .output import TOTALS_SQL
from .shapes import Section, add_claim

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
            -- one member whose cells of the division differ in kind (a blank beside a missing series)
            when count(distinct l.province_code) = 1 then 'one member, blank, suppressed or absent'
            else 'blank, suppressed or absent in several members'
        end as cause
    from dropped as d
    join dim_industry as i using (industry_code)
    left join lacking as l using (universe_code, year, industry_code)
    group by all
    order by d.universe_code, d.year, d.industry_code
"""


# division-years in no set because no member with data that year reports them (DROPPED_SQL lists
# those a set leaves out because some members lack them): per universe and division, the years
NO_MEMBER_SQL = """
    with by_year as (
        select universe_code, year, industry_code
        from mart_division_availability
        where universe_code in ({universes}) and indicator = ? and year between ? and ?
        group by all
        having not bool_or(status in ('in_set', 'dropped_by_common_support'))
            and bool_or(status not in ('member_without_data', 'province_year_withheld'))
    )
    select * from (
        select b.universe_code, b.industry_code, i.name_zh as industry_zh, i.name_en as industry_en,
            count(*) as n_years_unreported, list(b.year order by b.year) as years_unreported
        from by_year as b
        join dim_industry as i using (industry_code)
        group by all
    )
    order by universe_code = ? desc, industry_code
"""


DROPPED_CAUSES = (
    "absent from the export",
    "one blank cell",
    "one suppressed cell",
    "one member, blank, suppressed or absent",
    "blank, suppressed or absent in several members",
)


def caveats(con, pair: ComparisonPair, indicator: str) -> Section:
    names, claims, notes = display_names(con), [], []
    members = sorted(set(member_codes(con, pair.a)) | set(member_codes(con, pair.b)))
    universes = [pair.a, pair.b, pair.union_code]
    sets = _industry_sets(con, pair, indicator, universes)
    incomplete = _incomplete_years_named(con, pair, indicator, universes, names, claims, notes)
    _totals_and_divisions_apart(con, pair, indicator, incomplete, names, claims, notes)
    dropped = _divisions_left_out(con, pair, indicator, names, claims, notes)
    unreported = _divisions_no_member_reports(con, pair, indicator, names, claims, notes)
    coverage = _coverage_ratios(con, pair, indicator, members)
    quarantined = _quarantined_values(con, pair, indicator, members, names, claims, notes)
    warned = _value_warnings(con, pair, indicator, members, names, claims, notes)
    _withheld_province_years(con, pair, members, claims, notes)
    breaks = _series_breaks(con, pair, indicator, claims, notes)
    shifts = _level_shifts(con, pair, indicator, members, names, claims, notes)
    return Section(
        9,
        "覆盖范围与注意事项",
        "Coverage and caveats",
        {
            "indicator": indicator,
            "universe": ", ".join(names.get(u, u) for u in universes),
            "industry set": "year_common, " + pair.span_set + ", " + pair.pair_set,
            "coverage": f"{len(incomplete)} incomplete universe-years; {len(dropped)} division-years left out of a "
            f"group's common set; {_quarantined_counts(quarantined, indicator)[0]} quarantined values of the "
            f"indicator; {len(breaks)} known break{'s' if len(breaks) != 1 else ''} and "
            f"{len(shifts)} detected level shift{'s' if len(shifts) != 1 else ''} in the span",
        },
        notes=notes,
        claims=claims,
        tables={
            "incomplete_universe_years": incomplete,
            "industry_sets": sets,
            "divisions_left_out": dropped,
            "divisions_no_member_reports": unreported,
            "coverage_ratios": coverage,
            "quarantined_values": quarantined,
            "value_warnings": warned,
            "series_breaks": breaks,
            "level_shifts": shifts,
        },
        workbook_only={"coverage_ratios"},
    )


def _in_list(members: list[str]) -> str:
    """The members as an SQL list of literals."""
    return ", ".join(f"'{m}'" for m in members)


def _industry_sets(con, pair: ComparisonPair, indicator: str, universes: list[str]) -> pd.DataFrame:
    """Each universe's industry sets: years, the smallest and largest number of divisions, incomplete years."""
    by_year = read_frame(
        con,
        """
        select universe_code, industry_set, year, any_value(n_industries) as n_industries,
            bool_and(is_universe_complete) as is_universe_complete
        from mart_specialization_relative_by_set
        where universe_code in (?, ?, ?) and indicator = ? and year between ? and ?
        group by all
        """,
        [*universes, indicator, pair.year_from, pair.year_to],
    )
    return (
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


def _incomplete_years_named(
    con, pair: ComparisonPair, indicator: str, universes: list[str], names: dict, claims: list, notes: list
) -> pd.DataFrame:
    """The incomplete universe-years, each once whatever the number of industry sets, their missing members named."""
    f, t = pair.year_from, pair.year_to
    incomplete_sql = """
        select universe_code, year, list(distinct industry_set order by industry_set) as industry_sets
        from mart_specialization_relative_by_set
        where universe_code in (?, ?, ?) and indicator = ? and year between ? and ? and not is_universe_complete
        group by all
        order by universe_code, year
        """
    incomplete_params = [*universes, indicator, f, t]
    incomplete = read_frame(con, incomplete_sql, incomplete_params)
    missing, _ = missing_members(con, universes, indicator, f, t)
    incomplete.insert(
        2,
        "members_missing",
        [
            name_list(missing.get((u, y), []), names)
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
    notes.append(
        add_claim(claims, "incomplete_universe_years", text, len(incomplete), incomplete_sql, incomplete_params)
    )
    return incomplete


def _totals_and_divisions_apart(
    con, pair: ComparisonPair, indicator: str, incomplete: pd.DataFrame, names: dict, claims: list, notes: list
) -> None:
    """The group-years section 1 (group totals) and the sections computed from divisions mark incomplete
    differently: a group total needs every member's manufacturing total, the others every member's
    divisions, and a member can print one without the other."""
    # section 1's own rows, so that both name the same incomplete group-years; a group-year where no
    # member prints a total (an indicator without one) is section 1's own caveat, not a difference
    params = [pair.a, pair.b, indicator, pair.year_from, pair.year_to, pair.a]
    rows = read_frame(con, TOTALS_SQL, params)
    rows = rows[~rows.is_complete.astype(bool) & (rows.n_members_present > 0)]
    totals = {
        (g, int(y)): list(m) for g, y, m in zip(rows.group_code, rows.year, rows.members_without_value, strict=True)
    }
    groups = (pair.a, pair.b)
    divisions = {(u, int(y)) for u, y in zip(incomplete.universe_code, incomplete.year, strict=True) if u in groups}
    missing, _ = missing_members(con, list(groups), indicator, pair.year_from, pair.year_to)
    parts = [
        f"{names.get(g, g)} {y}: the group total lacks {name_list(totals[(g, y)], names)} (no manufacturing "
        "total), the division-level sections have every member"
        for g, y in sorted(set(totals) - divisions)
    ] + [
        f"{names.get(g, g)} {y}: the division-level sections lack "
        f"{name_list(missing.get((g, y), []), names) or 'a member'} (no divisions, or withheld by the quality "
        "policy), the group total has every member"
        for g, y in sorted(divisions - set(totals))
    ]
    if parts:
        text = (
            "Section 1 (group totals) and the sections computed from divisions are incomplete in different "
            "group-years, because a total needs every member's manufacturing total and the others every member's "
            "divisions: " + "; ".join(parts) + "."
        )
        notes.append(add_claim(claims, "totals_and_divisions_apart", text, len(parts), TOTALS_SQL, params))


def _divisions_left_out(con, pair: ComparisonPair, indicator: str, names: dict, claims: list, notes: list):
    """The division-years a group's common set leaves out because a member with data lacks them, and why."""
    dropped_sql = DROPPED_SQL.format(universes="?, ?")
    dropped_params = [pair.a, pair.b, indicator, pair.year_from, pair.year_to]
    dropped = read_frame(con, dropped_sql, dropped_params)
    dropped.insert(1, "universe_name", dropped["universe_code"].map(names))
    dropped["members_lacking"] = dropped["members_lacking"].map(lambda m: name_list(list(m), names))
    dropped["lacking_detail"] = dropped["lacking_detail"].map(
        lambda items: "; ".join(
            f"{names.get(code, code)}: {STATUS_TEXT.get(status, status)}"
            for code, status in (item.split(":", 1) for item in items)
        )
    )
    causes = dropped["cause"].value_counts().to_dict()
    text = _divisions_left_out_text(dropped, causes)
    notes.append(add_claim(claims, "divisions_left_out", text, causes, dropped_sql, dropped_params))
    return dropped


def _divisions_no_member_reports(
    con, pair: ComparisonPair, indicator: str, names: dict, claims: list, notes: list
) -> pd.DataFrame:
    """The divisions no member of a group reports in some years of the span: in no set those years, so
    every index of the group leaves them out, although no member's blank caused it."""
    sql = NO_MEMBER_SQL.format(universes="?, ?")
    params = [pair.a, pair.b, indicator, pair.year_from, pair.year_to, pair.a]
    rows = read_frame(con, sql, params)
    rows.insert(1, "universe_name", rows["universe_code"].map(names))
    rows["years_unreported"] = rows["years_unreported"].map(lambda ys: year_list_text(sorted(int(y) for y in ys)))
    if rows.empty:
        text = "Every division is reported by some member of each group in every year of the span."
    else:
        text = (
            f"{int(rows['n_years_unreported'].sum())} division-years are reported by no member of the group and "
            "are in no set: "
            + "; ".join(
                f"{names.get(u, u)}: "
                + ", ".join(f"{r.industry_code} {r.industry_zh} ({r.years_unreported})" for r in group.itertuples())
                for u, group in rows.groupby("universe_code", sort=False)
            )
            + "."
        )
    notes.append(
        add_claim(claims, "divisions_no_member_reports", text, int(rows["n_years_unreported"].sum()), sql, params)
    )
    return rows


def _divisions_left_out_text(dropped: pd.DataFrame, causes: dict) -> str:
    """How many division-years are left out, by cause; a single blank or suppressed cell named."""
    if not len(dropped):
        return "No division is left out of a group's common set by a member lacking it."
    parts = []
    for cause in DROPPED_CAUSES:
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
    return (
        f"{len(dropped)} division-years left out of a group's year-by-year common set because a member with data "
        f"that year lacks them: " + ", ".join(parts) + f". {several} of them lack the division in two or more "
        "members (named in the table)."
    )


def _coverage_ratios(con, pair: ComparisonPair, indicator: str, members: list[str]) -> pd.DataFrame:
    """Each member-year's coverage of its manufacturing total by the divisions it reports."""
    return read_frame(
        con,
        f"""
        select province_code, year, coverage_ratio, manufacturing_total_basis, n_manufacturing_divisions_reported
        from fct_manufacturing_coverage
        where province_code in ({_in_list(members)}) and indicator = ? and year between ? and ?
        order by province_code, year
        """,
        [indicator, pair.year_from, pair.year_to],
    )


def _quarantined_values(
    con, pair: ComparisonPair, indicator: str, members: list[str], names: dict, claims: list, notes: list
) -> pd.DataFrame:
    """The members' quarantined values in the span, this report's indicator first; the note counts
    the others apart, since they touch no number of the report."""
    quarantined_sql = f"""
        select * from fct_quarantine
        where province_code in ({_in_list(members)}) and year between ? and ?
        order by indicator <> ?, indicator, province_code, year
        """
    params = [pair.year_from, pair.year_to, indicator]
    quarantined = read_frame(con, quarantined_sql, params)
    # the printed value's unit beside it (the published table has it last: it was added later)
    columns = [c for c in quarantined.columns if c != "source_unit"]
    columns.insert(columns.index("value_as_printed") + 1, "source_unit")
    quarantined = with_province_names(quarantined[columns], names, 3)
    counts = quarantined["indicator"].value_counts().to_dict()
    n_values, n_years = _quarantined_counts(quarantined, indicator)
    others = {k: v for k, v in sorted(counts.items()) if k != indicator}
    text = f"{n_values} quarantined value{'s' if n_values != 1 else ''} of {indicator}" + (
        f" and {n_years} province-year{'s' if n_years != 1 else ''} withheld whole" if n_years else ""
    )
    if others:
        listed = ", ".join(f"{v} of {k}" for k, v in others.items())
        which = "an indicator" if len(others) == 1 else "indicators"
        text += f"; the table also lists {listed}, {which} this report does not use"
    notes.append(
        add_claim(claims, "quarantined", text + ".", {k: int(v) for k, v in counts.items()}, quarantined_sql, params)
    )
    return quarantined


def _quarantined_counts(quarantined: pd.DataFrame, indicator: str) -> tuple[int, int]:
    """The indicator's quarantined single values and whole province-years: fct_quarantine holds both
    (scope), counted apart."""
    own = quarantined[quarantined["indicator"] == indicator]
    return int((own["scope"] == "value").sum()), int((own["scope"] == "province_year").sum())


def _value_warnings(
    con, pair: ComparisonPair, indicator: str, members: list[str], names: dict, claims: list, notes: list
) -> pd.DataFrame:
    """The members' values of the indicator a rule flags as suspect without withholding them: they stay
    in the facts and the metrics, so the reader sees them with their numbers."""
    sql = f"""
        -- a spike is found on the series as printed: its label names the division where no code does
        select w.rule, w.province_code, w.year, w.industry_code, coalesce(i.name_zh, w.industry_label) as industry_zh,
            w.value, w.detail
        from fct_value_warning as w
        left join dim_industry as i using (industry_code)
        where w.province_code in ({_in_list(members)}) and w.indicator = ? and w.year between ? and ?
        order by w.rule, w.province_code, w.year, w.industry_code
        """
    params = [indicator, pair.year_from, pair.year_to]
    warned = read_frame(con, sql, params)
    warned.insert(2, "province", warned["province_code"].map(lambda c: names.get(c, c)))
    counts = warned["rule"].value_counts().to_dict()
    text = (
        f"{len(warned)} value{'s' if len(warned) != 1 else ''} of {indicator} carr"
        f"{'y' if len(warned) != 1 else 'ies'} a warning (fct_value_warning: "
        + ", ".join(f"{n} {rule}" for rule, n in sorted(counts.items()))
        + "); they are not withheld: the published facts, and any metric of their division, use them as "
        "printed (the table gives the numbers)."
        if len(warned)
        else f"No value of {indicator} of the members in the span carries a warning (fct_value_warning)."
    )
    notes.append(add_claim(claims, "value_warnings", text, {k: int(v) for k, v in counts.items()}, sql, params))
    return warned


def _withheld_province_years(con, pair: ComparisonPair, members: list[str], claims: list, notes: list) -> None:
    """A member kept out of every universe of a year is named, not only counted."""
    span = (pair.year_from, pair.year_to)
    withheld_sql, withheld_params = withheld_province_years_query(members, span)
    withheld = withheld_province_years(con, members, span)
    notes.append(
        add_claim(
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


def _series_breaks(con, pair: ComparisonPair, indicator: str, claims: list, notes: list) -> pd.DataFrame:
    """The known statistical breaks that fall inside the span."""
    breaks, breaks_sql, params = known_breaks(con, pair.year_from, pair.year_to, indicator)
    notes.append(
        add_claim(
            claims,
            "known_breaks",
            f"{len(breaks)} known break{'s' if len(breaks) != 1 else ''} in the span"
            + (": " + ", ".join(f"{r.break_code} ({r.first_year})" for r in breaks.itertuples()) if len(breaks) else "")
            + ".",
            len(breaks),
            breaks_sql,
            params,
        )
    )
    return breaks


def _level_shifts(
    con, pair: ComparisonPair, indicator: str, members: list[str], names: dict, claims: list, notes: list
) -> pd.DataFrame:
    """The level shifts detected in the members' series inside the span (the query §1's note uses too)."""
    shifts, shifts_sql, params = level_shifts(con, pair.year_from, pair.year_to, indicator, members)
    shifts = with_province_names(shifts, names, 1)
    notes.append(
        add_claim(
            claims,
            "level_shifts",
            f"{len(shifts)} detected level shift{'s' if len(shifts) != 1 else ''} in the members' series in the span. "
            "The detector compares each province's median division growth with the national median, so a break "
            "common to all provinces (the known breaks above) is not detected as a shift.",
            len(shifts),
            shifts_sql,
            params,
        )
    )
    return shifts
