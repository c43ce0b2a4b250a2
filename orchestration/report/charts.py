"""Charts of the comparison report as inline SVG, drawn by matplotlib.

matplotlib because its SVG is static and needs nothing at view time (no JavaScript, no CDN, no
network), and is reproducible: the hash salt is fixed, the date left out, and text is kept as
SVG text (svg.fonttype none) so the browser draws Chinese names with its own fonts instead of
matplotlib needing a CJK font here. README "Comparison report" gives the comparison with Altair.
"""

from __future__ import annotations

import io
import logging
import math
import warnings

import matplotlib

matplotlib.use("svg")

import matplotlib.pyplot as plt
import numpy as np

from .sections import Chart

STYLE = {
    "svg.fonttype": "none",
    "svg.hashsalt": "regional-structure-report",
    # Layout is measured with the font matplotlib ships; the browser draws the text (CJK included)
    # with its own fonts, so a missing CJK glyph here is not an error.
    "font.family": ["DejaVu Sans"],
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
}


def render(chart: Chart) -> str:
    """The chart as one <svg> element; an empty-data chart says so instead of drawing nothing."""
    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)
    with plt.rc_context(STYLE), warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Glyph .* missing from font")
        if chart.data is None or chart.data.size == 0 or chart.data.isna().all().all():
            fig, ax = plt.subplots(figsize=(6, 1.2))
            ax.axis("off")
            ax.text(0.5, 0.5, f"{chart.title}: no published values", ha="center", va="center")
        else:
            fig = {"line": _line, "heatmap": _heatmap, "stacked_bar": _stacked_bar, "quadratic": _quadratic}[
                chart.kind
            ](chart)
        buffer = io.StringIO()
        fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
        plt.close(fig)
    svg = buffer.getvalue()
    return svg[svg.index("<svg") :]


def _line(chart: Chart):
    fig, ax = plt.subplots(figsize=(7, 3.6))
    for column in chart.data.columns:
        ax.plot(chart.data.index, chart.data[column], marker="o", markersize=3, label=str(column))
    ax.set_title(chart.title)
    ax.set_xlabel("year")
    ax.set_ylabel(chart.options.get("ylabel", ""))
    ax.legend(fontsize=7, ncol=2, frameon=False)
    return fig


def _heatmap(chart: Chart):
    data = chart.data
    height = max(2.5, 0.28 * len(data.index) + 1.2)
    fig, ax = plt.subplots(figsize=(max(4.5, 0.9 * len(data.columns) + 2.5), height))
    values = data.to_numpy(dtype=float)
    image = ax.imshow(values, cmap="viridis", aspect="auto")
    ax.set_xticks(range(len(data.columns)), [str(c) for c in data.columns], rotation=45, ha="right")
    ax.set_yticks(range(len(data.index)), [str(i) for i in data.index])
    fmt, mark = chart.options.get("fmt", "{:.2f}"), chart.options.get("mark_above")
    low, high = np.nanmin(values), np.nanmax(values)
    for (row, col), value in np.ndenumerate(values):
        if math.isnan(value):
            continue
        text = fmt.format(value) + (" ●" if mark is not None and value > mark else "")
        light = (value - low) / (high - low) < 0.5 if high > low else True
        ax.text(col, row, text, ha="center", va="center", fontsize=6.5, color="white" if light else "black")
    fig.colorbar(image, ax=ax, shrink=0.8)
    ax.set_title(chart.title)
    return fig


def _stacked_bar(chart: Chart):
    data = chart.data.fillna(0)
    fig, ax = plt.subplots(figsize=(max(6, 0.55 * len(data.index) + 2), 3.8))
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
    ax.set_ylabel(chart.options.get("ylabel", ""))
    ax.set_title(chart.title)
    ax.legend(fontsize=7, frameon=False)
    return fig


def _quadratic(chart: Chart):
    fig, ax = plt.subplots(figsize=(7, 3.6))
    years = chart.data.index.to_numpy(dtype=float)
    for column, fit in zip(chart.data.columns, chart.options.get("fits", []), strict=False):
        line = ax.plot(years, chart.data[column], marker="o", markersize=3, label=column)[0]
        if fit.get("b2") is not None:
            t = np.linspace(0, years.max() - years.min(), 50)
            ax.plot(
                years.min() + t,
                fit["b0"] + fit["b1"] * t + fit["b2"] * t**2,
                linestyle="--",
                color=line.get_color(),
                label=f"{column} quadratic fit",
            )
            turning = fit.get("turning_point_year")
            if turning is not None and years.min() <= turning <= years.max():
                ax.axvline(turning, color=line.get_color(), linestyle=":", linewidth=0.8)
    ax.set_title(chart.title)
    ax.set_xlabel("year")
    ax.legend(fontsize=7, frameon=False)
    return fig
