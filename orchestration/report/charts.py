"""Charts of the comparison report as inline SVG, drawn by matplotlib.

matplotlib because its SVG is static and needs nothing at view time (no JavaScript, no CDN, no
network), and is reproducible: the hash salt is fixed and the date left out. Text is drawn as paths
(svg.fonttype path) with a CJK font found at build time (fonts-noto-cjk), so Chinese names render on
a reader's machine without any CJK font; without one here, text stays SVG text for the browser to
draw (and the build logs it).

An incomplete point (a group- or universe-year lacking a member, options["incomplete"]: series ->
years) is drawn hollow and off the line: the line breaks around it, and the legend names the mark.
Legends sit outside the axes, so they never cover the data.
"""

from __future__ import annotations

import io
import logging
import math
import warnings
from functools import cache
from pathlib import Path

import matplotlib

matplotlib.use("svg")

import matplotlib.pyplot as plt
import numpy as np
from matplotlib import font_manager
from matplotlib.lines import Line2D
from matplotlib.ticker import StrMethodFormatter

from .fonts import CANDIDATES
from .sections import INCOMPLETE_MARK, Chart

CJK_FAMILIES = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Zen Hei")
INCOMPLETE_LABEL = f"{INCOMPLETE_MARK} incomplete (a member missing)"
log = logging.getLogger(__name__)


@cache
def cjk_family() -> str | None:
    """The first CJK font matplotlib can use here, or None.

    matplotlib lists the machine's fonts once and keeps the list (in ~/.cache/matplotlib): after
    `apt-get install fonts-noto-cjk` that list still lacks the font, so the files the page's own
    subset is cut from (fonts.CANDIDATES) are added to it when it names no CJK family."""
    family = _listed_cjk_family()
    if family is None:
        for path in CANDIDATES:
            if Path(path).is_file():
                font_manager.fontManager.addfont(path)
        family = _listed_cjk_family()
    return family


def _listed_cjk_family() -> str | None:
    available = {f.name for f in font_manager.fontManager.ttflist}
    return next((family for family in CJK_FAMILIES if family in available), None)


def style() -> dict:
    cjk = cjk_family()
    if cjk is None:
        log.warning("no CJK font for the report's charts (apt-get install fonts-noto-cjk): Chinese stays SVG text")
    return {
        "svg.fonttype": "path" if cjk else "none",
        "svg.hashsalt": "regional-structure-report",
        "font.family": ["DejaVu Sans", cjk] if cjk else ["DejaVu Sans"],
        "font.size": 9,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.titlesize": 10,
    }


def render(chart: Chart) -> str:
    """The chart as one <svg> element; an empty-data chart says so instead of drawing nothing."""
    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)
    with plt.rc_context(style()), warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Glyph .* missing from font")
        if chart.data is None or chart.data.size == 0 or chart.data.isna().all().all():
            fig, ax = plt.subplots(figsize=(6, 1.2))
            ax.axis("off")
            ax.text(0.5, 0.5, f"{chart.title}: no published values", ha="center", va="center")
        else:
            fig = {
                "line": _line,
                "heatmap": _heatmap,
                "stacked_bar": _stacked_bar,
                "quadratic": _quadratic,
                "scatter_fit": _scatter_fit,
            }[chart.kind](chart)
        buffer = io.StringIO()
        fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
        plt.close(fig)
    svg = buffer.getvalue()
    return svg[svg.index("<svg") :]


def _title(ax, text: str) -> None:
    """Long titles wrap rather than being clipped."""
    if len(text) > 70:
        cut = text.rfind(" ", 0, 70)
        text = text[:cut] + "\n" + text[cut + 1 :] if cut > 0 else text
    ax.set_title(text, loc="left")


def _legend(ax, extra: list | None = None) -> None:
    handles, labels = ax.get_legend_handles_labels()
    for handle, label in extra or []:
        handles.append(handle)
        labels.append(label)
    if handles:
        # handles long enough to show a dash
        ax.legend(
            handles, labels, fontsize=7, frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1.0), handlelength=3
        )


def _years_axis(ax, index) -> None:
    years = [int(y) for y in index]
    step = 1 if len(years) <= 12 else 2
    ax.set_xticks(years[::step], [str(y) for y in years[::step]])
    ax.set_xlabel("year 年份")


# A chart of all sixteen members of two groups needs sixteen lines a reader can tell apart:
# matplotlib's default cycle repeats its colours after ten, so colour, marker and dash vary together.
LINE_STYLES = [
    {"color": plt.get_cmap("tab20")(i), "marker": "osD^v"[i % 5], "linestyle": ("-", "--")[i // 10 % 2]}
    for i in range(0, 20, 2)
] + [
    {"color": plt.get_cmap("tab20")(i), "marker": "osD^v"[(i + 2) % 5], "linestyle": ("--", "-")[i // 10 % 2]}
    for i in range(1, 20, 2)
]


def _series(ax, x, y, label, incomplete: set, color=None, style: dict | None = None):
    """A series whose incomplete points are hollow and cut out of the line."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    bad = np.array([int(v) in incomplete for v in x]) if incomplete else np.zeros(len(x), dtype=bool)
    solid = np.where(bad, np.nan, y)
    look = {"marker": "o", "color": color, **(style or {})}
    line = ax.plot(x, solid, markersize=3.5, label=label, **look)[0]
    if bad.any():
        ax.plot(
            x[bad],
            y[bad],
            linestyle="none",
            marker="o",
            markersize=6,
            markerfacecolor="white",
            markeredgecolor=line.get_color(),
            markeredgewidth=1.3,
        )
    return line, bool(bad.any())


def _levels_written_out(ax, data) -> None:
    """Large levels (persons, 亿元) on the y axis as the tables write them (12,000,000), not as a
    multiple of an offset like 1e7."""
    if np.nanmax(np.abs(np.asarray(data, dtype=float)), initial=0) >= 1e4:
        ax.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))


def _hollow_handle() -> Line2D:
    return Line2D([], [], linestyle="none", marker="o", markersize=6, markerfacecolor="white", markeredgecolor="gray")


GROUP_DASHES = ("-", "--")
GROUP_MARKERS = "osD^v<>ph*"


def _group_styles(groups: list[int]) -> list[dict]:
    """Lines of a chart of two groups' members: the dash says the group (solid, dashed); colour and
    marker, numbered over every series, tell each member from every other, so a point off the line
    (no dash to see) is still one member's (distinct up to 200 series)."""
    return [
        {
            "color": plt.get_cmap("tab20")(i % 20),
            "marker": GROUP_MARKERS[(i + i // 20) % len(GROUP_MARKERS)],
            "linestyle": GROUP_DASHES[group],
        }
        for i, group in enumerate(groups)
    ]


def _line(chart: Chart):
    """Lines over the years. options: incomplete (series -> years drawn hollow); groups (series ->
    0 or 1) with group_names (two names), when the series are two groups' members."""
    fig, ax = plt.subplots(figsize=(7.5, 3.6))
    incomplete = chart.options.get("incomplete", {})
    groups = chart.options.get("groups")
    styles = (
        _group_styles([groups[c] for c in chart.data.columns])
        if groups
        else [LINE_STYLES[i % len(LINE_STYLES)] for i in range(len(chart.data.columns))]
    )
    any_bad = False
    for column, style in zip(chart.data.columns, styles, strict=True):
        _, bad = _series(
            ax, chart.data.index, chart.data[column], str(column), set(incomplete.get(column, ())), style=style
        )
        any_bad |= bad
    _title(ax, chart.title)
    _years_axis(ax, chart.data.index)
    _levels_written_out(ax, chart.data)
    ax.set_ylabel(chart.options.get("ylabel", ""))
    extra = []
    if groups:
        extra += [
            (Line2D([], [], color="gray", linestyle=dash), name)
            for dash, name in zip(GROUP_DASHES, chart.options["group_names"], strict=True)
        ]
    if any_bad:
        extra.append((_hollow_handle(), INCOMPLETE_LABEL))
    _legend(ax, extra or None)
    return fig


def _heatmap(chart: Chart):
    data = chart.data
    height = max(2.5, 0.28 * len(data.index) + 1.4)
    fig, ax = plt.subplots(figsize=(max(5, 0.95 * len(data.columns) + 3), height))
    values = data.to_numpy(dtype=float)
    # vmin, vmax: a scale shared with the section's other heatmaps (else this one's own range)
    low = chart.options.get("vmin", np.nanmin(values))
    high = chart.options.get("vmax", np.nanmax(values))
    image = ax.imshow(values, cmap="viridis", aspect="auto", vmin=low, vmax=high)
    ax.set_xticks(range(len(data.columns)), [str(c) for c in data.columns], rotation=45, ha="right")
    ax.set_yticks(range(len(data.index)), [str(i) for i in data.index])
    # mark_from: values at or above it are marked (an LQ of at least 1, as is_specialised)
    fmt, mark = chart.options.get("fmt", "{:.3f}"), chart.options.get("mark_from")
    for (row, col), value in np.ndenumerate(values):
        if math.isnan(value):
            continue
        text = fmt.format(value) + (" ●" if mark is not None and value >= mark else "")
        light = (value - low) / (high - low) < 0.5 if high > low else True
        ax.text(col, row, text, ha="center", va="center", fontsize=6.5, color="white" if light else "black")
    fig.colorbar(image, ax=ax, shrink=0.8, label=chart.options.get("colorbar", "index"))
    _title(ax, chart.title)
    return fig


def _stacked_bar(chart: Chart):
    data = chart.data.fillna(0)
    fig, ax = plt.subplots(figsize=(max(6.5, 0.55 * len(data.index) + 3), 3.8))
    positions = np.arange(len(data.index))
    above, below = np.zeros(len(data.index)), np.zeros(len(data.index))
    for column in data.columns:
        values = data[column].to_numpy(dtype=float)
        bottoms = np.where(values >= 0, above, below)
        ax.bar(positions, values, bottom=bottoms, label=str(column))
        above += np.where(values >= 0, values, 0)
        below += np.where(values < 0, values, 0)
    if chart.options.get("signed"):
        ax.axhline(0, color="black", linewidth=0.6)
    ax.set_xticks(positions, [str(i) for i in data.index], rotation=45, ha="right")
    _levels_written_out(ax, np.concatenate([above, below]))  # the stacks' extent
    ax.set_ylabel(chart.options.get("ylabel", ""))
    _title(ax, chart.title)
    _legend(ax)
    if chart.options.get("legend_title") and ax.get_legend():
        ax.get_legend().set_title(chart.options["legend_title"], prop={"size": 7})
    if any(INCOMPLETE_MARK in str(i) for i in data.index):
        ax.text(
            0,
            -0.42,
            f"{INCOMPLETE_MARK} incomplete: the group lacks a member that year",
            transform=ax.transAxes,
            fontsize=7,
            va="top",
        )
    return fig


def _quadratic(chart: Chart):
    """The yearly series (incomplete years hollow, off the line) and the default fit's curve; the turning
    point as a dotted line only when it is interior."""
    fig, ax = plt.subplots(figsize=(7.5, 3.6))
    years = chart.data.index.to_numpy(dtype=float)
    incomplete = chart.options.get("incomplete", {})
    any_bad = any_turning = False
    for column, fit in zip(chart.data.columns, chart.options.get("fits", []), strict=False):
        line, bad = _series(ax, years, chart.data[column], column, set(incomplete.get(column, ())))
        any_bad |= bad
        grid = np.linspace(years.min(), years.max(), 60)
        ax.plot(grid, fit.predict(grid), linestyle="--", color=line.get_color(), linewidth=1)
        turning = fit.turning_point
        if turning is not None and turning.interior:
            ax.axvline(turning.value, color=line.get_color(), linestyle=":", linewidth=0.8)
            any_turning = True
    extra = [(Line2D([], [], linestyle="--", color="gray"), chart.options.get("fit_label", "quadratic fit"))]
    if any_turning:  # the legend names only marks the chart draws
        extra.append((Line2D([], [], linestyle=":", color="gray"), "turning point (interior only)"))
    if any_bad:
        extra.append((_hollow_handle(), INCOMPLETE_LABEL + ", not in the fit"))
    _title(ax, chart.title)
    _years_axis(ax, chart.data.index)
    _levels_written_out(ax, chart.data)
    ax.set_ylabel(chart.options.get("ylabel", ""))
    _legend(ax, extra)
    return fig


def _scatter_fit(chart: Chart):
    """Points by series (a marker per year) and, when given, the curve computed by the section from
    published coefficients (options["curve"]: x, y); x drawn in % when options["x_percent"]."""
    fig, ax = plt.subplots(figsize=(7.5, 4.2))
    data, opts = chart.data, chart.options
    scale = 100.0 if opts.get("x_percent") else 1.0
    markers = dict(zip(sorted(data["year"].unique()), ("o", "s", "^", "D"), strict=False))
    colors = dict(zip(opts.get("series_order", []), ("tab:blue", "tab:orange", "lightgray"), strict=False))
    for series in opts.get("series_order", sorted(data["series"].unique())):
        for year, marker in markers.items():
            part = data[(data["series"] == series) & (data["year"] == year)]
            if part.empty:
                continue
            ax.scatter(
                part[opts["x"]].astype(float) * scale,
                part[opts["y"]].astype(float),
                marker=marker,
                s=22,
                color=colors.get(series),
                edgecolors="black" if colors.get(series) == "lightgray" else "none",
                linewidths=0.4,
                label=f"{series} {year}",
                zorder=3,
            )
    curve = opts.get("curve")
    if curve is not None and len(curve):
        ax.plot(curve["x"] * scale, curve["y"], color="black", linestyle="--", linewidth=1, label=opts["curve_label"])
    _title(ax, chart.title)
    ax.set_xlabel(opts.get("xlabel", ""))
    ax.set_ylabel(opts.get("ylabel", ""))
    _legend(ax)
    return fig
