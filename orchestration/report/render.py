"""The comparison report as one self-contained HTML file and an XLSX workbook with the same tables.

The HTML carries its CSS and its charts (inline SVG) and loads nothing: it opens offline. The
workbook has one sheet per table, named after the section, with the same numbers unrounded.
"""

from __future__ import annotations

import html
import math
import re
from pathlib import Path

import pandas as pd

from .charts import render as render_chart
from .sections import ReportData

# column -> (中文, English) for table headers
COLUMN_LABELS = {
    "group_code": ("区域", "group"),
    "universe_code": ("参照区域", "universe"),
    "province_code": ("省份代码", "province code"),
    "name_short_zh": ("省份", "province (zh)"),
    "name_en": ("省份（英）", "province"),
    "partner_province_code": ("对比省份代码", "partner code"),
    "partner_name_en": ("对比省份", "partner"),
    "industry_code": ("行业代码", "division"),
    "industry_zh": ("行业", "division (zh)"),
    "industry_en": ("行业（英）", "division (en)"),
    "year": ("年份", "year"),
    "base_year": ("基期", "base year"),
    "value": ("数值", "value"),
    "value_from": ("期初值", "value, first year"),
    "value_to": ("期末值", "value, last year"),
    "base_value": ("基期值", "base value"),
    "share_of_group": ("占区域比重", "share of group"),
    "share_of_group_from": ("期初占比", "share of group, first year"),
    "share_of_group_to": ("期末占比", "share of group, last year"),
    "growth_rate": ("增长率", "growth rate"),
    "cagr": ("年均增长率", "CAGR"),
    "group_total": ("区域合计", "group total"),
    "national_share": ("占全国比重", "share of nation"),
    "share_of_nation": ("占全国比重", "share of nation"),
    "n_members": ("成员数", "members"),
    "n_members_present": ("有数据成员", "members with data"),
    "n_members_reporting": ("报告成员", "members reporting"),
    "is_complete": ("完整", "complete"),
    "intensity_class": ("要素密集类型", "intensity class"),
    "share": ("占比", "share"),
    "n_industries": ("行业数", "divisions in set"),
    "coverage": ("覆盖率", "coverage"),
    "krugman_vs_rest": ("相对专业化指数", "Krel"),
    "krugman_vs_universe": ("克鲁格曼指数（对区域）", "K vs universe"),
    "region_weight": ("权重", "weight λ"),
    "mean_plain": ("简单平均", "plain mean"),
    "mean_weighted": ("加权平均", "weighted mean"),
    "krugman_bilateral": ("地区间专业化指数", "bilateral Krugman"),
    "structural_similarity": ("结构相似系数", "structural similarity"),
    "lq": ("区位商", "LQ"),
    "is_specialised": ("专业化（LQ≥1）", "specialised"),
    "hightech_revenue": ("高技术产业营业收入", "high-tech revenue"),
    "mean_locational_gini": ("区位基尼系数均值", "mean locational Gini"),
    "mean_hoover": ("胡佛系数均值", "mean Hoover"),
    "industry_mix": ("产业结构分量", "industry mix"),
    "regional_share": ("竞争力分量", "regional share"),
    "change": ("变化量", "change"),
    "universe_growth": ("参照区域增长率", "universe growth"),
    "null_reason": ("空值原因", "null reason"),
    "series_breaks": ("统计口径断点", "series breaks"),
    "status": ("状态", "status"),
    "reason": ("原因", "reason"),
    "coverage_ratio": ("覆盖率", "coverage ratio"),
}
CONTEXT_LABELS = {
    "indicator": "指标 Indicator",
    "universe": "参照区域 Universe",
    "industry set": "行业集合 Industry set",
    "coverage": "覆盖 Coverage",
}
CSS = """
body{font-family:"Noto Sans CJK SC","Noto Sans SC","Microsoft YaHei",sans-serif;margin:2em auto;max-width:1200px;
color:#222;line-height:1.45}
h1{font-size:1.5em}h2{font-size:1.2em;border-bottom:1px solid #ccc;margin-top:2em}h3{font-size:1em;margin-bottom:.3em}
dl.context{display:grid;grid-template-columns:max-content auto;gap:.1em 1em;background:#f5f5f5;padding:.6em 1em}
dl.context dt{font-weight:bold}dl.context dd{margin:0}
table{border-collapse:collapse;font-size:.8em;margin:.5em 0 1.2em}
th,td{border:1px solid #ddd;padding:2px 6px;text-align:right}th{background:#eee;vertical-align:bottom}
td.text{text-align:left}.note{font-size:.85em;color:#555}figure{margin:.5em 0}svg{max-width:100%;height:auto}
nav a{margin-right:1em}
"""
MAX_HTML_ROWS = 400


def _format(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, bool):
        return "✓" if value else "✗"
    if isinstance(value, float):
        return f"{value:,.4f}" if abs(value) < 10 else f"{value:,.1f}"
    if isinstance(value, list | tuple):
        return ", ".join(map(str, value))
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    return str(value)


def _header(column: str, labels: dict[str, tuple[str, str]]) -> str:
    zh, en = labels.get(column) or COLUMN_LABELS.get(column, (None, None))
    if zh is None:
        return html.escape(column)
    return f"{html.escape(zh)}<br>{html.escape(en)}"


def table_html(frame: pd.DataFrame, labels: dict[str, tuple[str, str]] | None = None) -> str:
    if frame is None or frame.empty:
        return '<p class="note">无数据 No rows.</p>'
    shown = frame.head(MAX_HTML_ROWS)
    head = "".join(f"<th>{_header(str(c), labels or {})}</th>" for c in shown.columns)
    rows = []
    for record in shown.itertuples(index=False):
        cells = []
        for value in record:
            css = "" if isinstance(value, int | float) and not isinstance(value, bool) else ' class="text"'
            cells.append(f"<td{css}>{html.escape(_format(value))}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    more = (
        f'<p class="note">First {MAX_HTML_ROWS} of {len(frame)} rows; the workbook has all of them.</p>'
        if len(frame) > MAX_HTML_ROWS
        else ""
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>{more}"


def write_html(data: ReportData, path: Path) -> Path:
    pair = data.pair
    a_zh, a_en = data.names.get(pair.a, (pair.a, pair.a))
    b_zh, b_en = data.names.get(pair.b, (pair.b, pair.b))
    title = f"{a_zh}与{b_zh}制造业结构比较 {a_en} vs {b_en}, {pair.year_from}–{pair.year_to}"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN"><head><meta charset="utf-8">',
        f"<title>{html.escape(title)}</title><style>{CSS}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
        f'<p class="note">指标 Indicator: {html.escape(data.indicator)} · '
        f"数据发布于 Published {html.escape(data.published_at)}"
        f" · groups {html.escape(pair.a)} and {html.escape(pair.b)}; every number is read from the published marts "
        "(table names in each section's workbook sheet).</p>",
        "<nav>"
        + "".join(f'<a href="#s{s.number}">{s.number}. {html.escape(s.title_zh)}</a>' for s in data.sections)
        + "</nav>",
    ]
    for section in data.sections:
        parts.append(
            f'<section id="s{section.number}"><h2>{section.number}. {html.escape(section.title_zh)} '
            f"{html.escape(section.title_en)}</h2>"
        )
        parts.append(
            '<dl class="context">'
            + "".join(
                f"<dt>{html.escape(CONTEXT_LABELS.get(k, k))}</dt><dd>{html.escape(v)}</dd>"
                for k, v in section.context.items()
            )
            + "</dl>"
        )
        for chart in section.charts:
            parts.append(f'<figure class="chart">{render_chart(chart)}</figure>')
        for note in section.notes:
            parts.append(f'<p class="note">{html.escape(note)}</p>')
        for name, frame in section.tables.items():
            if name in section.workbook_only:
                parts.append(
                    f'<p class="note">{html.escape(name.replace("_", " "))}: {len(frame)} rows in the workbook.</p>'
                )
                continue
            parts.append(f"<h3>{html.escape(name.replace('_', ' '))}</h3>{table_html(frame, section.labels)}")
        parts.append("</section>")
    parts.append("</body></html>")
    path.write_text("\n".join(parts), encoding="utf-8")
    return path


def sheet_name(section: int, table: str, used: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", "_", f"{section} {table}")[:31]
    name, n = base, 2
    while name in used:
        name = f"{base[:28]}~{n}"
        n += 1
    used.add(name)
    return name


def write_workbook(data: ReportData, path: Path) -> Path:
    pair = data.pair
    used: set[str] = set()
    index = []
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for section in data.sections:
            for name, frame in section.tables.items():
                sheet = sheet_name(section.number, name, used)
                index.append(
                    {
                        "sheet": sheet,
                        "section": f"{section.number}. {section.title_zh} {section.title_en}",
                        **{k: v for k, v in section.context.items()},
                        "rows": len(frame),
                    }
                )
                _clean(frame).to_excel(writer, sheet_name=sheet, index=False)
        about = pd.DataFrame(
            [
                {"key": "groups", "value": f"{pair.a} vs {pair.b}"},
                {"key": "years", "value": f"{pair.year_from}–{pair.year_to}"},
                {"key": "indicator", "value": data.indicator},
                {"key": "published_at", "value": data.published_at},
            ]
        )
        about.to_excel(writer, sheet_name="about", index=False)
        pd.DataFrame(index).to_excel(writer, sheet_name="contents", index=False)
    return path


def _clean(frame: pd.DataFrame) -> pd.DataFrame:
    """Lists as text (Excel cells hold scalars); everything else as it is."""
    out = frame.copy()
    for column in out.columns:
        if out[column].map(lambda v: isinstance(v, list | tuple) or hasattr(v, "tolist")).any():
            out[column] = out[column].map(_format)
    return out


def summary_markdown(data: ReportData) -> str:
    """The headline numbers of the report, for the Dagster UI (which shows Markdown metadata but
    cannot open a local file): group totals and CAGR, and the groups' mean Krel."""
    pair, sections = data.pair, {s.number: s for s in data.sections}
    lines = [
        f"**{pair.a} vs {pair.b}, {pair.year_from}–{pair.year_to}, {data.indicator}** "
        f"(industry set {pair.pair_set}; published {data.published_at})",
        "",
        "| group | total first year | total last year | CAGR | mean Krel, last year |",
        "|---|---|---|---|---|",
    ]
    totals = sections[1].tables["group_totals"]
    growth = (
        sections[1].tables["group_growth"].set_index("group_code") if len(sections[1].tables["group_growth"]) else None
    )
    means = sections[3].tables["group_means"]
    for group in (pair.a, pair.b):
        first = totals[(totals.group_code == group) & (totals.year == pair.year_from)].group_total
        last = totals[(totals.group_code == group) & (totals.year == pair.year_to)].group_total
        cagr = None
        if growth is not None and group in growth.index:
            row = growth.loc[group]
            cagr = row["cagr"] if pd.notna(row["cagr"]) else f"null ({row['null_reason']})"
        krel = means[(means.universe_code == group) & (means.year == pair.year_to)].mean_plain
        cells = [first.iloc[0] if len(first) else None, last.iloc[0] if len(last) else None, cagr]
        cells.append(krel.iloc[0] if len(krel) else None)
        lines.append(f"| {group} | " + " | ".join(_format(c) for c in cells) + " |")
    lines += ["", "Nine sections and their caveats in the HTML report and the workbook (paths above)."]
    return "\n".join(lines)
