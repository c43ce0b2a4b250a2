"""The queries and phrases the sections share: names, members, units, incomplete universe-years."""

from __future__ import annotations

import pandas as pd

from ...settings import ComparisonPair
from .shapes import add_claim, sql_text


def read_frame(con, sql: str, params: list | None = None) -> pd.DataFrame:
    return con.execute(sql, params or []).df()


def member_codes(con, group: str) -> list[str]:
    rows = con.execute(
        "select province_code from dim_region_group_member where group_code = ? order by 1", [group]
    ).fetchall()
    return [r[0] for r in rows]


def in_group_order(con, pair: ComparisonPair, frame: pd.DataFrame, column: str = "province_code") -> pd.DataFrame:
    """The rows of a frame over the union a+b with the first group's members first, then the
    second's, each by code, so a chart or table of the union shows the groups as two blocks."""
    first = set(member_codes(con, pair.a))
    key = frame[column].map(lambda code: (code not in first, code))
    return frame.iloc[sorted(range(len(frame)), key=lambda i: (key.iloc[i], i))].reset_index(drop=True)


def span_years(pair: ComparisonPair) -> list[int]:
    return list(range(pair.year_from, pair.year_to + 1))


def indicator_unit(con, indicator: str) -> str:
    row = con.execute("select any_value(unit) from fct_industry_indicator where indicator = ?", [indicator]).fetchone()
    return row[0] or ""


def display_names(con) -> dict[str, str]:
    """province or group code -> '北京 Beijing'."""
    rows = con.execute("select province_code, name_short_zh, name_en from dim_province").fetchall()
    rows += con.execute("select group_code, name_zh, name_en from dim_region_group").fetchall()
    return {code: f"{zh} {en}" for code, zh, en in rows}


def name_list(codes, names: dict[str, str]) -> str:
    return ", ".join(names.get(c, c) for c in codes)


MISSING_MEMBERS_SQL = """
    select universe_code, year, list(distinct province_code order by province_code) as members_missing
    from mart_division_availability
    where universe_code in ({universes}) and indicator = ? and year between ? and ?
        and status in ('member_without_data', 'province_year_withheld')
    group by all
    order by universe_code, year
"""


def missing_members(con, universes: list[str], indicator: str, f: int, t: int) -> tuple[dict, str]:
    """(universe, year) -> the members with no data that year (an incomplete universe-year)."""
    sql = MISSING_MEMBERS_SQL.format(universes=", ".join("?" for _ in universes))
    params = [*universes, indicator, f, t]
    rows = con.execute(sql, params).fetchall()
    return {(u, y): list(m) for u, y, m in rows}, sql_text(sql, params)


def years_text(by_year: dict[int, list[str]], names: dict[str, str]) -> str:
    return "; ".join(f"{year} ({name_list(codes, names)} missing)" for year, codes in sorted(by_year.items()))


def incomplete_universe_years(con, universes, industry_set, indicator, f, t) -> tuple[dict, str, list]:
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


def set_sizes(con, universes: list[str], industry_set: str, indicator: str) -> str:
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


KNOWN_BREAKS_SQL = """
    select break_code, indicator, first_year, name_en as description_en, name_zh as description_zh
    from dim_statistical_break
    where first_year > ? and first_year <= ? and (indicator is null or indicator = ?)
    order by first_year, break_code
"""


def known_breaks(con, year_from: int, year_to: int, indicator: str) -> tuple[pd.DataFrame, str, list]:
    """The known statistical breaks of the indicator's series after year_from, up to year_to: the
    frame, its SQL and parameters."""
    params = [year_from, year_to, indicator]
    return read_frame(con, KNOWN_BREAKS_SQL, params), KNOWN_BREAKS_SQL, params


LEVEL_SHIFTS_SQL = """
    select * from mart_level_shift
    where is_level_shift and year > ? and year <= ? and indicator = ?
        and province_code in (select unnest(?::varchar[]))
    order by province_code, year
"""


def level_shifts(con, year_from: int, year_to: int, indicator: str, members: list[str]):
    """The level shifts detected in the members' series after year_from, up to year_to: the frame
    (by province, then year), its SQL and parameters."""
    params = [year_from, year_to, indicator, list(members)]
    return read_frame(con, LEVEL_SHIFTS_SQL, params), LEVEL_SHIFTS_SQL, params


def with_province_names(frame: pd.DataFrame, names: dict[str, str], position: int) -> pd.DataFrame:
    """The frame with a column province ('北京 Beijing') at position, from its province_code."""
    frame.insert(position, "province", frame["province_code"].map(lambda code: names.get(code, code)))
    return frame


def growth_breaks_note(
    con, year_from: int, year_to: int, indicator: str, key: str, claims: list, members: list[str] | None = None
) -> str | None:
    """The sentence naming what a growth from year_from to year_to crosses, as a claim under key: the
    known breaks of the series and, for the members given, the level shifts detected in their
    series, in the order of their years (a claim's value names a shift level_shift_<province>_<year>,
    as mart_group_growth.series_breaks names an unexplained one). None when it crosses nothing;
    §9 lists both in full."""
    breaks, breaks_sql, breaks_params = known_breaks(con, year_from, year_to, indicator)
    shifts, shifts_sql, shifts_params = (
        level_shifts(con, year_from, year_to, indicator, members) if members else (pd.DataFrame(), "", [])
    )
    if len(shifts):
        shifts = shifts.sort_values(["year", "province_code"], kind="stable")
    if breaks.empty and shifts.empty:
        return None
    names = display_names(con)
    parts = []
    if len(breaks):
        named = "; ".join(f"{r.first_year}: {r.description_en}" for r in breaks.itertuples())
        parts.append(f"{len(breaks)} known break{'s' if len(breaks) != 1 else ''} of the series ({named})")
    if len(shifts):
        groups: dict[str, list[str]] = {}
        for r in shifts.itertuples():
            why = "unexplained" if r.explanation == "unexplained" else f"at the known break {r.known_break_codes}"
            groups.setdefault(why, []).append(f"{names.get(r.province_code, r.province_code)} {r.year}")
        named = "; ".join(f"{why}: {', '.join(found)}" for why, found in groups.items())
        unexplained = len(groups.get("unexplained", []))
        parts.append(
            f"{len(shifts)} level shift{'s' if len(shifts) != 1 else ''} detected in the members' series, "
            f"{unexplained} of them unexplained ({named})"
        )
    text = (
        f"The growth {year_from}–{year_to} crosses {' and '.join(parts)}: a level before a break is not on the "
        "same basis as one after it."
    )
    codes = list(breaks["break_code"]) + [f"level_shift_{r.province_code}_{r.year}" for r in shifts.itertuples()]
    sql = breaks_sql if shifts.empty else f"{breaks_sql.strip()}; {shifts_sql.strip()}"
    return add_claim(claims, key, text, codes, sql, breaks_params + (shifts_params if len(shifts) else []))


def coverage_range(frame: pd.DataFrame, years: list[int] | None = None) -> str:
    """The range of the set's coverage over the rows, with the years it is taken over (the frame's
    year column, else ``years``): two sections on one set can show different years."""
    if "coverage" not in frame or frame["coverage"].notna().sum() == 0:
        return "no manufacturing total to compare with"
    shown = sorted({int(y) for y in frame.loc[frame["coverage"].notna(), "year"]}) if "year" in frame else years
    return (
        f"the set explains {frame['coverage'].min():.0%}–{frame['coverage'].max():.0%} of the provinces' "
        "manufacturing totals" + (f" in {year_list_text(shown)}" if shown else "")
    )


def year_list_text(years: list[int]) -> str:
    """[2005, ..., 2010] → '2005–2010'; [2005, 2014] → '2005 and 2014'; else the years, comma-separated."""
    if len(years) > 2 and years == list(range(years[0], years[-1] + 1)):
        return f"{years[0]}–{years[-1]}"
    return " and ".join(map(str, years)) if len(years) <= 2 else ", ".join(map(str, years))
