"""What a section of the comparison report is: its claims, charts and tables, and the report they make."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from ...settings import ComparisonPair

INCOMPLETE_MARK = "†"


INCOMPLETE_LEGEND = (
    "† incomplete: a member of the group has no data that year, or the quality policy withholds them (fct_quarantine)"
)


@dataclass
class Claim:
    """One sentence of the report with a count, set, year or direction, and the query behind it."""

    key: str
    text: str
    value: object
    sql: str


def _literal(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_literal(v) for v in value) + "]"
    return str(value)


def sql_text(sql: str, params: list | None) -> str:
    """The query with its parameters written in, as it can be pasted into duckdb."""
    sql = re.sub(r"--[^\n]*", "", sql)  # comments out, so the query holds on one line
    parts = sql.split("?")
    params = list(params or [])
    out = parts[0]
    for part, value in zip(parts[1:], params, strict=False):
        out += _literal(value) + part
    return " ".join(out.split())


@dataclass
class Chart:
    kind: str  # line, heatmap, stacked_bar, quadratic
    title: str
    data: pd.DataFrame
    options: dict = field(default_factory=dict)


@dataclass
class Section:
    number: int
    title_zh: str
    title_en: str
    context: dict[str, str]  # indicator, universe, industry set, coverage: stated on every section
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    charts: list[Chart] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # tables the HTML leaves to the workbook (long forms a chart or a pivot already shows)
    workbook_only: set[str] = field(default_factory=set)
    # header labels of the columns this section makes itself (a published column's label is its
    # YAML meta, orchestration/dbt_registry.py)
    labels: dict[str, tuple[str, str]] = field(default_factory=dict)
    # column -> the published model it is read from, for a name two models describe differently
    # (national_share: a share of the nation in mart_group_total, the component NS in mart_shift_share)
    read_from: dict[str, str] = field(default_factory=dict)
    claims: list[Claim] = field(default_factory=list)
    # table name -> the cells an HTML table marks incomplete: {(row index, column)} of the frame
    incomplete_cells: dict[str, set] = field(default_factory=dict)
    # table name -> its title where this section's table is not what render.TABLE_TITLES calls it
    titles: dict[str, str] = field(default_factory=dict)
    # the unit of the section's values where it is not the report's indicator's (high-tech revenue is
    # 亿元 in an employment report)
    unit: str = ""
    # table name -> why it has no rows where that is known: said in the table's place and in the
    # workbook's contents, instead of a bare "no rows"
    empty: dict[str, str] = field(default_factory=dict)


@dataclass
class ReportData:
    pair: ComparisonPair
    indicator: str
    names: dict[str, tuple[str, str]]  # group code -> (zh, en)
    sections: list[Section]
    published_at: str
    unit: str = ""  # the indicator's unit as published (亿元, 人)
    # a pair the refresh did not pre-build: how its numbers were computed (pair_compute's sentence)
    computed: str = ""
    # the publication's raw directory, and whether it is the project's synthetic samples
    raw_dir: str = ""
    from_samples: bool = False

    @property
    def claims(self) -> list[tuple[int, Claim]]:
        return [(s.number, c) for s in self.sections for c in s.claims]


class ReportError(ValueError):
    """The report cannot be made from the published file; the message says why and what to do."""


UNIT_EN = {"亿元": "100 million yuan", "人": "persons", "元": "yuan", "个": "enterprises"}
# the yearbooks' money is at current prices: the report says so where it states levels and growth
MONEY_UNITS = ("亿元", "万元", "元")
PRICE_BASIS = "at current prices (nominal): levels and growth include price changes"


def price_basis(unit: str) -> str:
    """What follows a unit where values are stated: ', at current prices ...' for money, else nothing."""
    return f", {PRICE_BASIS}" if unit in MONEY_UNITS else ""


def unit_label(unit: str) -> str:
    """亿元 → '亿元 (100 million yuan)'; the unit as the report prints it on axes and headers."""
    return f"{unit} ({UNIT_EN[unit]})" if unit in UNIT_EN else unit


def add_claim(section_claims: list, key: str, text: str, value, sql: str, params: list | None = None) -> str:
    section_claims.append(Claim(key, text, value, sql_text(sql, params)))
    return text
