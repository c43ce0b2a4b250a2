"""The comparison report as one self-contained HTML file and an XLSX workbook with the same tables.

The HTML carries its CSS and its charts (inline SVG) and loads nothing: it opens offline. The
workbook has one sheet per table, named after the section, with the same numbers unrounded.
"""

from __future__ import annotations

import html
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd

from ..dbt_registry import column_label, column_unit
from ..settings import SAMPLES_NOTE
from .charts import render as render_chart
from .fonts import FONT_CACHE_DIR, font_face_css
from .sections import INCOMPLETE_LEGEND, INCOMPLETE_MARK, ReportData, Section, unit_label
from .sections.shapes import price_basis

# A published column's header (中文, English) and unit are its YAML meta, read from dbt's manifest
# (orchestration/dbt_registry.py). These are the columns the report makes itself: names, renamed
# first/last-year values, counts and lists of its own queries, the trend fits and the analysis
# tables computed in Python (mart_integration_regression) — no dbt model has them, so no YAML can
# label them.
COMPUTED_COLUMN_LABELS = {
    "partner_name_en": ("对比省份", "partner"),
    "industry_zh": ("行业", "division (zh)"),
    "industry_en": ("行业（英）", "division (en)"),
    "value_from": ("期初值", "value, first year"),
    "value_to": ("期末值", "value, last year"),
    "share_of_group_from": ("期初占比", "share of group, first year"),
    "share_of_group_to": ("期末占比", "share of group, last year"),
    "mean_locational_gini": ("区位基尼系数均值", "mean locational Gini"),
    "mean_hoover": ("胡佛系数均值", "mean Hoover"),
    "group_name": ("区域名称", "group name"),
    "universe_name": ("参照区域名称", "universe name"),
    "province": ("省份", "province"),
    "partner": ("对比省份", "partner province"),
    "name": ("名称", "name"),
    "code": ("代码", "code"),
    "members_missing": ("缺数成员", "members missing"),
    "n_members_lacking": ("缺该行业成员数", "members lacking"),
    "statuses": ("缺失类型", "status of the lacking cells"),
    "lacking_detail": ("各成员缺失情况", "each lacking member and why"),
    "cause": ("原因", "cause"),
    "n_in_set": ("集合内行业数", "divisions in the set"),
    "not_in_set": ("不在集合内的行业", "divisions not in the set"),
    "industry_sets": ("行业集合", "industry sets"),
    "years": ("年数", "years"),
    "n_years_unreported": ("无报告年数", "years, count"),
    "years_unreported": ("无成员报告的年份", "years no member reports it"),
    "min_divisions": ("最少行业数", "fewest divisions"),
    "max_divisions": ("最多行业数", "most divisions"),
    "incomplete_years": ("不完整年数", "incomplete years"),
    "description_en": ("说明（英）", "description"),
    "description_zh": ("说明", "description (zh)"),
    "sample": ("样本", "sample"),
    "series": ("序列", "series"),
    "model": ("模型", "model"),
    "n": ("观测数", "n"),
    "r_squared": ("拟合优度", "R²"),
    "se_type": ("标准误类型", "SE type"),
    "const": ("常数项", "b0 (constant)"),
    "se_const": ("标准误", "SE b0"),
    "t": ("一次项", "b1 (t)"),
    "se_t": ("标准误", "SE b1"),
    "t²": ("二次项", "b2 (t²)"),
    "se_t²": ("标准误", "SE b2"),
    "turning_point": ("拐点", "turning point"),
    "turning_point_se": ("拐点标准误", "SE turning point"),
    "turning_point_ci_low": ("95%区间下限", "95 % CI low"),
    "turning_point_ci_high": ("95%区间上限", "95 % CI high"),
    "turning_point_note": ("说明", "turning point"),
    "trend_growth": ("趋势增长率", "trend growth"),
    "se_trend_growth": ("标准误", "SE"),
    "ci_low": ("95%区间下限", "95 % CI low"),
    "ci_high": ("95%区间上限", "95 % CI high"),
    "years_left_out": ("剔除年份", "years left out"),
    "note": ("说明", "note"),
    "coefficient": ("系数", "coefficient"),
    "std_error": ("聚类标准误", "clustered SE"),
    "p_value": ("p值", "p-value"),
    "n_clusters": ("聚类数", "clusters"),
    "r_squared_within": ("组内R²", "within R²"),
    "editions": ("表年份", "editions"),
    "sample_note": ("样本说明", "sample"),
    "integration": ("一体化（流出比重）", "integration (outflow share)"),
}
# how a column is shown: value (the indicator's unit), share (%), rate (% a year), growth (% over the
# span: x[T]/x[t0] − 1), index, year, coef,
# years. A published column's kind follows from its YAML `unit` (KIND_OF_UNIT); these are the
# report's own columns.
KIND_OF_UNIT = {
    "indicator": "value",
    "share": "share",
    "rate": "rate",
    "growth": "growth",
    "index": "index",
    "year": "year",
}
KIND = {
    **dict.fromkeys(["value_from", "value_to"], "value"),
    **dict.fromkeys(["share_of_group_from", "share_of_group_to", "integration"], "share"),
    **dict.fromkeys(["trend_growth", "se_trend_growth", "ci_low", "ci_high"], "rate"),
    **dict.fromkeys(["mean_locational_gini", "mean_hoover"], "index"),
    # a regression's estimates and fit: numbers without a unit of their own
    **dict.fromkeys(["r_squared", "coefficient", "std_error", "p_value", "r_squared_within"], "statistic"),
    **dict.fromkeys(["const", "se_const", "t", "se_t", "t²", "se_t²"], "coef"),
    **dict.fromkeys(["turning_point", "turning_point_se", "turning_point_ci_low", "turning_point_ci_high"], "years"),
}
# the year columns of the wide tables, and columns whose meaning differs in one table
WIDE_KIND = {
    "output_by_year": "value",
    "krel_by_year": "index",
    "intensity_shares_by_year": "share",
    "io_member_shares": "share",
}
# section 10 (sections/io_integration.py): the regression's turning point is a value of x, the outflow
# share, as the published columns hold it (a fraction; the published note writes it in %); not a year
TABLE_KIND = {
    (table, c): "fraction"
    for table in ("io_regression", "io_regression_published")
    for c in ("turning_point", "turning_point_se", "turning_point_ci_low", "turning_point_ci_high")
}
# the published regression table's interval is a coefficient's, not a trend growth rate's
TABLE_KIND |= {("io_regression_published", c): "coef" for c in ("ci_low", "ci_high")}
UNIT_OF_KIND = {
    "share": "%",
    "rate": "% a year",
    "growth": "% over the span",
    "index": "index",
    "statistic": "",
    "fraction": "share, 1 = 100 %",
    "coef": "",
    "years": "years",
}
FLAG_COLUMNS = ("is_complete", "is_universe_complete", "is_group_complete")
CONTEXT_LABELS = {
    "indicator": "指标 Indicator",
    "universe": "参照区域 Universe",
    "industry set": "行业集合 Industry set",
    "coverage": "覆盖 Coverage",
}
CSS = """
body{font-family:"ReportCJK","Segoe UI",Arial,"DejaVu Sans","Noto Sans CJK SC","Microsoft YaHei",sans-serif;
margin:2em auto;max-width:1200px;color:#222;line-height:1.45;padding:0 1em}
h1{font-size:1.5em}h2{font-size:1.2em;border-bottom:1px solid #ccc;margin-top:2em}h3{font-size:1em;margin-bottom:.3em}
dl.context{display:grid;grid-template-columns:max-content auto;gap:.1em 1em;background:#f5f5f5;padding:.6em 1em}
dl.context dt{font-weight:bold}dl.context dd{margin:0}
table{border-collapse:collapse;font-size:.8em;margin:.5em 0 1.2em}
th,td{border:1px solid #ddd;padding:2px 6px;text-align:right}th{background:#eee;vertical-align:bottom}
th .unit{font-weight:normal;color:#555}
td.text{text-align:left}.note{font-size:.85em;color:#555}figure{margin:.5em 0}svg{max-width:100%;height:auto}
td.incomplete{background:#fff3e0;color:#8a4b00;font-style:italic}tr.incomplete td{background:#fff3e0}
nav.contents ol{columns:2;font-size:.9em}ul.claims{font-size:.9em}
.scroll{overflow-x:auto}
.samples{border:2px solid #b00;color:#900;font-weight:bold;padding:.4em .7em}
"""
MAX_HTML_ROWS = 400


def _kind(table: str, column, read_from: dict[str, str] | None = None) -> str:
    """How a column is shown; `read_from` names the model a published column was read from where
    two models describe its name differently (Section.read_from)."""
    if isinstance(column, int | np.integer):
        return WIDE_KIND.get(table, "value")
    name = str(column)
    if (table, name) in TABLE_KIND or name in KIND:
        return TABLE_KIND.get((table, name)) or KIND[name]
    return KIND_OF_UNIT.get(column_unit(name, (read_from or {}).get(name)) or "", "")


# indicators counted in whole units (employment: persons), shown without decimals
COUNT_UNITS = ("人",)


def _value_kind(table: str, column, unit: str, read_from: dict[str, str] | None = None) -> str:
    """_kind, with a value of an indicator counted in whole units (COUNT_UNITS) a count."""
    kind = _kind(table, column, read_from)
    return "count" if kind == "value" and unit in COUNT_UNITS else kind


def _format(value, kind: str = "") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, bool | np.bool_):
        return "✓" if value else "✗"
    if isinstance(value, list | tuple | np.ndarray):
        return ", ".join(map(str, value))
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    if isinstance(value, int | float | np.integer | np.floating):
        return _format_number(value, kind)
    return str(value)


NUMBER_FORMATS = {
    "share": lambda v: f"{v * 100:.1f}",
    "rate": lambda v: f"{v * 100:.1f}",
    "growth": lambda v: f"{v * 100:.1f}",
    "index": lambda v: f"{v:.3f}",
    "statistic": lambda v: f"{v:.3f}",
    "fraction": lambda v: f"{v:.3f}",
    "count": lambda v: f"{v:,.0f}",
    "coef": lambda v: f"{v:.6f}" if abs(v) < 1 else f"{v:,.4f}",
    "years": lambda v: f"{v:.1f}",
}


def _format_number(value, kind: str) -> str:
    """Years without separators, shares and rates in % (one decimal), indices to three decimals."""
    if kind == "year":
        return str(int(value))
    if isinstance(value, int | np.integer):
        return f"{value:,}" if kind in ("value", "count") else str(value)
    value = float(value)
    if kind in NUMBER_FORMATS:
        return NUMBER_FORMATS[kind](value)
    return f"{value:,.1f}" if abs(value) >= 10 else f"{value:,.4f}"


def _unit_text(kind: str, unit: str) -> str:
    if kind in ("value", "count"):
        return unit_label(unit)
    return UNIT_OF_KIND.get(kind, "")


def column_header(column: str, labels: dict | None = None, read_from: dict[str, str] | None = None):
    """(中文, English) of a column, or None: the section's own label, else the published column's YAML
    meta (of the model the section read it from, where it names one), else the report's own."""
    name = str(column)
    return (
        (labels or {}).get(name) or column_label(name, (read_from or {}).get(name)) or COMPUTED_COLUMN_LABELS.get(name)
    )


def _header_parts(table: str, column, labels: dict, unit: str, read_from=None) -> tuple[str, str, str]:
    """(中文, English, unit) of a column; a year column of a wide table is the year."""
    if isinstance(column, int | np.integer):
        return str(column), "", ""
    zh, en = column_header(column, labels, read_from) or ("", str(column).replace("_", " "))
    return zh, en, _unit_text(_kind(table, column, read_from), unit)


def _header(table: str, column, labels: dict, unit: str, read_from=None) -> str:
    zh, en, unit_text = _header_parts(table, column, labels, unit, read_from)
    lines = [html.escape(x) for x in (zh, en) if x]
    if unit_text:
        lines.append(f'<span class="unit">({html.escape(unit_text)})</span>')
    return "<br>".join(lines)


def incomplete_rows(frame: pd.DataFrame) -> set[int]:
    """Row positions whose completeness flag (is_complete, is_universe_complete, ...) is false."""
    rows: set[int] = set()
    for flag in FLAG_COLUMNS:
        if flag in frame.columns:
            rows |= {i for i, ok in enumerate(frame[flag].tolist()) if ok is not None and not pd.isna(ok) and not ok}
    return rows


def incomplete_marks(table: str, frame: pd.DataFrame, cells: set) -> set[tuple[int, object]]:
    """Every (row position, column) of the frame that is incomplete: the cells the section names, and
    every cell of a row whose completeness flag is false."""
    return set(cells) | {(i, c) for i in incomplete_rows(frame) for c in frame.columns}


# code columns the HTML leaves out when the table names the same thing (the workbook keeps them)
NAMED_BY = {
    "group_code": "group_name",
    "universe_code": "universe_name",
    "code": "name",
    "name_short_zh": "province",
    "name_en": "province",
    "province_code": "province",
    "partner_province_code": "partner",
    "partner_name_en": "partner",
    "statuses": "lacking_detail",
    "model": "model_name",
}


def html_columns(frame: pd.DataFrame) -> list:
    return [c for c in frame.columns if not (c in NAMED_BY and NAMED_BY[c] in frame.columns)]


# an empty table's reason where its section gives none: the query behind it matched nothing
NO_ROWS = "none for this pair, indicator and span"


def table_html(
    frame: pd.DataFrame,
    labels: dict[str, tuple[str, str]] | None = None,
    *,
    name: str = "",
    unit: str = "",
    incomplete: set | None = None,
    read_from: dict[str, str] | None = None,
    empty: str = "",
) -> str:
    """A table; an incomplete row is shaded and marked † in its first cell, an incomplete cell shaded
    and marked † itself. Without rows, the sentence saying why (empty) or that there are none."""
    if frame is None or frame.empty:
        return f'<p class="note">无数据 No rows{": " + html.escape(empty) if empty else "."}</p>'
    shown = frame.head(MAX_HTML_ROWS)
    columns = html_columns(shown)
    flagged_rows = incomplete_rows(shown)
    cells_marked = set(incomplete or set())
    head = "".join(f"<th>{_header(name, c, labels or {}, unit, read_from)}</th>" for c in columns)
    rows = []
    for i in range(len(shown)):
        cells = []
        for position, column in enumerate(columns):
            value = shown[column].iloc[i]
            numeric = isinstance(value, int | float | np.integer | np.floating) and not isinstance(
                value, bool | np.bool_
            )
            classes = [] if numeric else ["text"]
            text = html.escape(_format(value, _value_kind(name, column, unit, read_from)))
            if (i, column) in cells_marked or (position == 0 and i in flagged_rows):
                classes.append("incomplete")
                text = f"{text} {INCOMPLETE_MARK}" if text else INCOMPLETE_MARK
            css = f' class="{" ".join(classes)}"' if classes else ""
            cells.append(f"<td{css}>{text}</td>")
        row_css = ' class="incomplete"' if i in flagged_rows else ""
        rows.append(f"<tr{row_css}>" + "".join(cells) + "</tr>")
    more = (
        f'<p class="note">First {MAX_HTML_ROWS} of {len(frame)} rows; the workbook has all of them.</p>'
        if len(frame) > MAX_HTML_ROWS
        else ""
    )
    legend = f'<p class="note">{html.escape(INCOMPLETE_LEGEND)}</p>' if flagged_rows or cells_marked else ""
    return (
        f'<div class="scroll"><table><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table></div>'
        f"{legend}{more}"
    )


TABLE_TITLES = {
    "output_by_year": "制造业合计，省份 × 年份 Manufacturing total, province × year",
    "group_totals": "区域合计 Group totals",
    "group_growth": "区域增长（首末年） Group growth, end years",
    "trend_growth": "趋势增长率（完整年份） Trend growth on the complete years",
    "provinces": "省份：期初与期末 Provinces, first and last year",
    "intensity_shares_by_year": "要素密集度占比，省份 × 年份 Intensity shares, province × year",
    "class_coverage": "各类行业在集合中的覆盖 Divisions of each class in the set",
    "krel_by_year": "相对专业化指数，省份 × 年份 Krel, province × year",
    "group_means": "区域平均 Group means of Krel",
    "hightech_revenue": "高技术产业收入 High-tech revenue",
    "hightech_growth": "高技术产业增长 High-tech growth",
    "concentration": "集中度年度均值 Yearly mean concentration",
    "quadratic_fit": "二次趋势拟合 Quadratic trend fits (OLS, HC1)",
    "shift_share": "偏离—份额分解 Shift-share components",
    "incomplete_universe_years": "不完整的区域—年份 Incomplete universe-years",
    "industry_sets": "行业集合 Industry sets",
    "divisions_left_out": "被剔除的行业—年份 Division-years left out of the common set",
    "divisions_no_member_reports": "无成员报告的行业 Divisions no member of the group reports",
    "value_warnings": "存疑数值（未剔除） Values flagged as suspect, not withheld",
    "coverage_ratios": "覆盖率 Coverage ratios",
    "quarantined_values": "剔除的数值 Values withheld by the quality policy",
    "series_breaks": "已知统计断点 Known series breaks",
    "level_shifts": "检测到的水平突变 Detected level shifts",
    "io_integration_by_group": "区域与全国的制造业一体化指数 Manufacturing integration of the groups and the nation",
    "io_member_shares": "成员省份的省外流出与流入比重 Members' outflow and inflow shares, province × edition",
    "io_regression": "集中度与一体化的回归（聚类标准误） Concentration on integration and its square (clustered SEs)",
    "io_scatter_sample": "散点图样本 The scatter's province-editions",
    "io_regression_published": "回归表（全部列） mart_integration_regression, every column",
}


def _title(name: str, unit: str = "", titles: dict[str, str] | None = None) -> str:
    title = (titles or {}).get(name) or TABLE_TITLES.get(name, name.replace("_", " "))
    if name in WIDE_KIND:
        title += f" ({_unit_text(WIDE_KIND[name], unit)})"
    return title


def write_html(data: ReportData, path: Path) -> Path:
    parts = _page_top(data)
    for section in data.sections:
        parts.extend(_section_html(section, section.unit or data.unit))
    parts.append("</body></html>")
    page = "\n".join(parts)
    # the Chinese of the page (the charts' is drawn as paths) as an embedded subset font; the subset
    # is kept beside the reports, for the next report with the same characters
    page_text = re.sub(r"<svg.*?</svg>", "", page, flags=re.S)
    page = page.replace("<style>", "<style>" + font_face_css(page_text, path.parent / FONT_CACHE_DIR), 1)
    path.write_text(page, encoding="utf-8")
    return path


# on every page, sheet and summary of a report of a publication made from raw/, so that a copy of it
# is never read as official statistics (its file name is the real report's)
SAMPLES_BANNER = f"样例数据 SAMPLE DATA: built from the {SAMPLES_NOTE}; not for citation."

# where a pre-built pair's numbers come from (a computed pair's header says how it was computed)
READ_FROM_MARTS = (
    "every metric is read from the published marts (the trend fits of §1 and §7 are estimated by the report from them)"
)


def _indicator_text(data: ReportData) -> str:
    """main_business_revenue (亿元 (100 million yuan), at current prices ...): money says its price basis."""
    return f"{data.indicator} ({unit_label(data.unit)}{price_basis(data.unit)})"


def _page_top(data: ReportData) -> list[str]:
    """The page's head, its title, the note on what the numbers are, and the contents."""
    pair = data.pair
    a_zh, a_en = data.names.get(pair.a, (pair.a, pair.a))
    b_zh, b_en = data.names.get(pair.b, (pair.b, pair.b))
    title = f"{a_zh}与{b_zh}制造业结构比较 {a_en} vs {b_en}, {pair.year_from}–{pair.year_to}"
    tab = f"样例数据 SAMPLE DATA · {title}" if data.from_samples else title
    return [
        "<!DOCTYPE html>",
        '<html lang="zh-CN"><head><meta charset="utf-8">',
        f"<title>{html.escape(tab)}</title><style>{CSS}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
        *([f'<p class="samples">{html.escape(SAMPLES_BANNER)}</p>'] if data.from_samples else []),
        f'<p class="note">指标 Indicator: {html.escape(_indicator_text(data))} · '
        f"数据发布于 Published {html.escape(data.published_at)}"
        f" · groups {html.escape(pair.a)} ({html.escape(a_en)}) and {html.escape(pair.b)} ({html.escape(b_en)}); "
        + (
            f"{READ_FROM_MARTS}; "
            if not data.computed
            else f"{html.escape(data.computed)} The facts are the publication's; "
        )
        + "shares and growth rates in %, indices to three decimals. "
        f"{html.escape(INCOMPLETE_LEGEND)}; drawn as hollow markers off the line in the charts.</p>",
        '<nav class="contents"><h2>目录 Contents</h2><ol>'
        + "".join(
            f'<li><a href="#s{s.number}">{html.escape(s.title_zh)} {html.escape(s.title_en)}</a></li>'
            for s in data.sections
        )
        + "</ol></nav>",
    ]


def _section_html(section: Section, unit: str) -> list[str]:
    """One section: its heading, context, charts, notes and tables (a workbook-only table as a note)."""
    parts = [
        f'<section id="s{section.number}"><h2>{section.number}. {html.escape(section.title_zh)} '
        f"{html.escape(section.title_en)}</h2>",
        '<dl class="context">'
        + "".join(
            f"<dt>{html.escape(CONTEXT_LABELS.get(k, k))}</dt><dd>{html.escape(v)}</dd>"
            for k, v in section.context.items()
        )
        + "</dl>",
    ]
    for chart in section.charts:
        parts.append(f'<figure class="chart">{render_chart(chart)}</figure>')
    for note in section.notes:
        parts.append(f'<p class="note">{html.escape(note)}</p>')
    for name, frame in section.tables.items():
        if name in section.workbook_only:
            title = _title(name, titles=section.titles)
            parts.append(f'<p class="note">{html.escape(title)}: {len(frame)} rows in the workbook.</p>')
            continue
        parts.append(
            f"<h3>{html.escape(_title(name, unit, section.titles))}</h3>"
            + table_html(
                frame,
                section.labels,
                name=name,
                unit=unit,
                incomplete=section.incomplete_cells.get(name, set()),
                read_from=section.read_from,
                empty=section.empty.get(name, ""),
            )
        )
    parts.append("</section>")
    return parts


def sheet_name(section: int, table: str, used: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", "_", f"{section} {table}")[:31]
    name, n = base, 2
    while name in used:
        name = f"{base[:28]}~{n}"
        n += 1
    used.add(name)
    return name


EXCEL_FORMAT = {
    "value": "#,##0.0",
    "count": "#,##0",
    "share": "0.0%",
    "rate": "0.0%",
    "growth": "0.0%",
    "index": "0.000",
    "statistic": "0.000",
    "fraction": "0.000",
    "coef": "0.000000",
    "year": "0",
    "years": "0.0",
}


def _format_sheet(ws, name: str, frame: pd.DataFrame, labels: dict, unit: str, marks: set, read_from=None) -> None:
    """Row 1: 中文 English (unit), bold; row 2: the column name; number formats on the values (kept
    unrounded); incomplete cells filled."""
    from openpyxl.styles import Alignment, Font, PatternFill

    fill = PatternFill("solid", fgColor="FFF3E0")
    for j, column in enumerate(frame.columns, start=1):
        zh, en, unit_text = _header_parts(name, column, labels, unit, read_from)
        if isinstance(column, int | np.integer):
            unit_text = _unit_text(_kind(name, column, read_from), unit)
        fmt = EXCEL_FORMAT.get(_value_kind(name, column, unit, read_from))
        if fmt and fmt.endswith("%"):
            # Excel shows 0.306 as 30.6 %; pandas and Stata read the 0.306 the cell holds
            unit_text = f"{unit_text or '%'}, stored as a fraction"
        text = " ".join(x for x in (zh, en) if x) + (f" ({unit_text})" if unit_text else "")
        cell = ws.cell(row=1, column=j, value=text)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="bottom")
        ws.cell(row=2, column=j).font = Font(italic=True, color="777777")
        for i in range(len(frame)):
            target = ws.cell(row=i + 3, column=j)
            if fmt and isinstance(target.value, int | float):
                target.number_format = fmt
            if (i, column) in marks:
                target.fill = fill
        ws.column_dimensions[cell.column_letter].width = 14


def write_workbook(data: ReportData, path: Path) -> Path:
    """One sheet per table: row 1 the header (中文, English, unit), row 2 the column name for code,
    the values from row 3 unrounded with a number format; the header frozen; incomplete cells filled
    and marked in the contents. The contents sheet comes first, then caveats (every claim and its SQL)."""
    used: set[str] = {"contents", "caveats", "about"}
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        pd.DataFrame({"x": []}).to_excel(writer, sheet_name="contents", index=False)
        _claims_frame(data).to_excel(writer, sheet_name="caveats", index=False)
        index = []
        for section in data.sections:
            for name, frame in section.tables.items():
                index.append(_write_table_sheet(writer, data, section, name, frame, used))
        _about_frame(data).to_excel(writer, sheet_name="about", index=False)
        _write_contents(writer.book["contents"], pd.DataFrame(index))
        writer.book["caveats"].freeze_panes = "A2"
    return path


def _claims_frame(data: ReportData) -> pd.DataFrame:
    """Every claim of the report with its section and SQL; a list or mapping value as text."""
    claims = pd.DataFrame(
        [
            {
                "section": number,
                "claim": c.key,
                "text": c.text,
                "value": _format(c.value) if isinstance(c.value, list | tuple | dict) else c.value,
                "sql": c.sql,
            }
            for number, c in data.claims
        ]
    )
    if len(claims):
        claims["value"] = claims["value"].map(lambda v: v if isinstance(v, int | float | str) else str(v))
    return claims


def _write_table_sheet(
    writer, data: ReportData, section: Section, name: str, frame: pd.DataFrame, used: set[str]
) -> dict:
    """One table on a sheet of its own, formatted; returns its line of the contents."""
    sheet = sheet_name(section.number, name, used)
    clean = _clean(frame)
    clean.columns = [str(c) for c in clean.columns]
    clean.to_excel(writer, sheet_name=sheet, index=False, startrow=1)
    ws = writer.book[sheet]
    marks = incomplete_marks(name, frame, section.incomplete_cells.get(name, set()))
    unit = section.unit or data.unit
    _format_sheet(ws, name, frame, section.labels, unit, marks, section.read_from)
    ws.freeze_panes = "A3"
    return {
        "sheet": sheet,
        "section": f"{section.number}. {section.title_zh} {section.title_en}",
        "table": _title(name, unit, section.titles),
        **{k: v for k, v in section.context.items()},
        "rows": len(frame),
        "incomplete cells (filled)": len(marks),
        "why no rows": (section.empty.get(name) or NO_ROWS) if frame.empty else "",
    }


def _about_frame(data: ReportData) -> pd.DataFrame:
    pair = data.pair
    return pd.DataFrame(
        [
            *([{"key": "SAMPLE DATA", "value": SAMPLES_BANNER}] if data.from_samples else []),
            {"key": "groups", "value": f"{pair.a} vs {pair.b}"},
            {"key": "years", "value": f"{pair.year_from}–{pair.year_to}"},
            {"key": "indicator", "value": _indicator_text(data)},
            {"key": "published_at", "value": data.published_at},
            {"key": "built_from", "value": data.raw_dir or "unknown"},
            {
                "key": "numbers",
                "value": data.computed or READ_FROM_MARTS,
            },
            {
                "key": "layout",
                "value": "row 1: header (中文 English, unit); row 2: column name; values from row 3, "
                "unrounded (the number format only rounds the display); pandas: read_excel(header=1)",
            },
            {"key": "incomplete", "value": INCOMPLETE_LEGEND + "; such cells are filled orange"},
        ]
    )


def _write_contents(ws, contents: pd.DataFrame) -> None:
    """The contents sheet: a bold header row, then one row per table whose sheet name links to it."""
    from openpyxl.styles import Font
    from openpyxl.worksheet.hyperlink import Hyperlink

    ws.delete_rows(1, ws.max_row)
    for j, column in enumerate(contents.columns, start=1):
        ws.cell(row=1, column=j, value=column).font = Font(bold=True)
    for i, row in enumerate(contents.itertuples(index=False), start=2):
        for j, value in enumerate(row, start=1):
            cell = ws.cell(row=i, column=j, value=value)
            if j == 1:
                cell.hyperlink = Hyperlink(ref=cell.coordinate, location=f"'{value}'!A1")
                cell.font = Font(color="0563C1", underline="single")
    ws.freeze_panes = "A2"


def _clean(frame: pd.DataFrame) -> pd.DataFrame:
    """Lists as text (Excel cells hold scalars); everything else as it is."""
    out = frame.copy()
    for column in out.columns:
        if out[column].map(lambda v: isinstance(v, list | tuple) or hasattr(v, "tolist")).any():
            out[column] = out[column].map(_format)
    return out


def summary_markdown(data: ReportData) -> str:
    """The headline numbers of the report, for the Dagster UI (which shows Markdown metadata but
    cannot open a local file): group totals and CAGR (or why there is none), trend growth on the
    complete years, and the groups' mean Krel."""
    pair, sections = data.pair, {s.number: s for s in data.sections}
    unit = unit_label(data.unit)
    lines = [
        *([f"**{SAMPLES_BANNER}**", ""] if data.from_samples else []),
        f"**{pair.a} vs {pair.b}, {pair.year_from}–{pair.year_to}, {data.indicator}** "
        f"(industry set {pair.pair_set}; published {data.published_at})",
        "",
        f"| group | total {pair.year_from} ({unit}) | total {pair.year_to} ({unit}) | CAGR (%) "
        "| trend growth, complete years (%) | mean Krel, last year |",
        "|---|---|---|---|---|---|",
    ]
    totals = sections[1].tables["group_totals"]
    growth = (
        sections[1].tables["group_growth"].set_index("group_code") if len(sections[1].tables["group_growth"]) else None
    )
    trend = sections[1].tables["trend_growth"]
    trend = trend.set_index("group_code") if len(trend) and "trend_growth" in trend else None
    means = sections[3].tables["group_means"]
    for group in (pair.a, pair.b):
        cells = []
        for year in (pair.year_from, pair.year_to):
            row = totals[(totals.group_code == group) & (totals.year == year)]
            value = _format_number(row.group_total.iloc[0], "value") if len(row) else ""
            if len(row) and not bool(row.is_complete.iloc[0]):
                value += f" {INCOMPLETE_MARK} ({row.members_without_value.iloc[0]} missing)"
            cells.append(value)
        cagr = ""
        if growth is not None and group in growth.index:
            row = growth.loc[group]
            cagr = _format(row["cagr"], "rate") if pd.notna(row["cagr"]) else f"none ({row['null_reason']})"
        cells.append(cagr)
        if trend is not None and group in trend.index and pd.notna(trend.loc[group, "trend_growth"]):
            t = trend.loc[group]
            cells.append(
                f"{_format(t.trend_growth, 'rate')} (SE {_format(t.se_trend_growth, 'rate')}, n = {int(t.n)}, "
                f"left out: {t.years_left_out})"
            )
        else:
            cells.append("")
        krel = means[(means.universe_code == group) & (means.year == pair.year_to)].mean_plain
        cells.append(_format(krel.iloc[0], "index") if len(krel) else "")
        lines.append(f"| {data.names.get(group, (group, group))[1]} ({group}) | " + " | ".join(cells) + " |")
    why = [
        c.text for c in sections[1].claims if c.key.startswith(("cagr_", "incomplete_years_")) and "no " in c.text[:80]
    ]
    why += [c.text for c in sections[1].claims if c.key.startswith("incomplete_years_") and "incomplete" in c.text]
    why += [c.text for c in sections[1].claims if c.key == "no_manufacturing_total"]
    # the CAGR and the trend above cross these: a headline read alone must say so
    why += [c.text for c in sections[1].claims if c.key == "growth_crosses_breaks"]
    why += [c.text for c in sections[9].claims if c.key == "withheld_province_years" and c.value]
    lines += ["", *[f"- {w}" for w in dict.fromkeys(why)]]
    lines += ["", "Ten sections and their caveats in the HTML report and the workbook (paths above)."]
    return "\n".join(lines)
