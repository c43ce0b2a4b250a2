"""The province-years the quality policy keeps out of the metric universes (`fct_quarantine`, scope
'province_year'), by name: one query for the run's summary (`make run`) and the comparison
report's caveats, so both name the same rows."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

WITHHELD_PROVINCE_YEARS_SQL = """
    select q.province_code, coalesce(p.name_short_zh, q.province_code) as name_zh,
        coalesce(p.name_en, q.province_code) as name_en, q.year, q.indicator,
        q.quarantine_reason, q.quarantine_detail
    from fct_quarantine as q left join dim_province as p using (province_code)
    where q.scope = 'province_year'{filters}
    order by q.province_code, q.year, q.indicator
"""


class WithheldProvinceYear(NamedTuple):
    province_code: str
    name_zh: str
    name_en: str
    year: int
    indicator: str
    quarantine_reason: str
    quarantine_detail: str


def withheld_province_years_query(
    provinces: Sequence[str] | None = None, years: tuple[int, int] | None = None, indicator: str | None = None
) -> tuple[str, list]:
    """The query and its parameters: every withheld province-year, or those of `provinces`
    within `years` (first, last), of `indicator`."""
    filters, params = "", []
    if indicator is not None:
        filters += " and q.indicator = ?"
        params.append(indicator)
    if provinces is not None:
        filters += f" and q.province_code in ({', '.join('?' for _ in provinces) or 'null'})"
        params += list(provinces)
    if years is not None:
        filters += " and q.year between ? and ?"
        params += list(years)
    return WITHHELD_PROVINCE_YEARS_SQL.format(filters=filters), params


def withheld_province_years(
    con, provinces: Sequence[str] | None = None, years: tuple[int, int] | None = None, indicator: str | None = None
) -> list[WithheldProvinceYear]:
    sql, params = withheld_province_years_query(provinces, years, indicator)
    return [WithheldProvinceYear(*row) for row in con.execute(sql, params).fetchall()]
