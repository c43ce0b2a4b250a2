"""Section 7: industry concentration over time, locational Gini and Hoover with a quadratic fit
(mart_industry_concentration_by_set)."""

from __future__ import annotations

import pandas as pd

from ...settings import ComparisonPair
from ...statistics import FitError, fit_quadratic
from .lookups import display_names, missing_members, read_frame, set_sizes, years_text
from .shapes import Chart, Section, add_claim

# the yearly value is the mean over the set's divisions of the published per-division index
YEARLY_SQL = """
    select year, avg(locational_gini) as mean_locational_gini, avg(hoover_localization) as mean_hoover,
        count(*) as n_divisions, bool_and(is_universe_complete) as is_universe_complete,
        min(n_members_present) as n_members_present, any_value(n_members) as n_members
    from mart_industry_concentration_by_set
    where universe_code = ? and industry_set = ? and indicator = ? and year between ? and ?
    group by year
    order by year
"""
SERIES = (("mean_locational_gini", "mean locational Gini"), ("mean_hoover", "mean Hoover"))


def concentration(con, pair: ComparisonPair, indicator: str, include_incomplete: bool = False) -> Section:
    names, claims = display_names(con), []
    yearly_params = [pair.union_code, pair.pair_set, indicator, pair.year_from, pair.year_to]
    yearly = read_frame(con, YEARLY_SQL, yearly_params)
    missing, _ = missing_members(con, [pair.union_code], indicator, pair.year_from, pair.year_to)
    left_out = yearly[~yearly["is_universe_complete"].astype(bool)]
    left_years = {int(y): missing.get((pair.union_code, int(y)), []) for y in left_out["year"]}
    fits, fit_table = _quadratic_fits(yearly, pair, include_incomplete)
    default = "all years" if include_incomplete else "complete years"
    notes = _fit_notes(fits, left_years, pair, default, include_incomplete, names, claims, yearly_params)
    chart_data = yearly.set_index("year")[["mean_locational_gini", "mean_hoover"]].rename(
        columns={
            "mean_locational_gini": "mean locational Gini 区位基尼系数均值",
            "mean_hoover": "mean Hoover 胡佛系数均值",
        }
    )
    return Section(
        7,
        "产业集中度（区位基尼系数、胡佛系数）",
        "Industry concentration over time (locational Gini, Hoover)",
        {
            "indicator": indicator,
            "universe": f"{names.get(pair.union_code, pair.union_code)}: concentration of each division across the "
            "provinces of both groups",
            "industry set": f"{pair.pair_set} ({set_sizes(con, [pair.union_code], pair.pair_set, indicator)}); "
            "the yearly value is the mean over the set's divisions",
            "coverage": "means over the divisions of the set; per-division values in mart_industry_concentration_by_set"
            + (f"; {len(left_years)} incomplete years marked †" if left_years else ""),
        },
        tables={"concentration": yearly, "quadratic_fit": fit_table},
        incomplete_cells={
            "concentration": {
                (i, c)
                for i, ok in enumerate(yearly["is_universe_complete"])
                if not ok
                for c in ("mean_locational_gini", "mean_hoover")
            }
        },
        charts=[
            Chart(
                "quadratic",
                "Mean concentration with fitted quadratic 集中度与二次拟合",
                chart_data,
                {
                    "fits": fits,
                    "fit_label": f"quadratic fit, {default}",
                    "incomplete": {c: set(left_years) for c in chart_data.columns},
                    "ylabel": "index (0–1)",
                },
            )
        ],
        notes=notes,
        claims=claims,
    )


def _quadratic_fits(yearly: pd.DataFrame, pair: ComparisonPair, include_incomplete: bool) -> tuple[list, pd.DataFrame]:
    """Each series fitted on the complete years and on all years: the default sample's fits, and the table of all."""
    fits, fit_rows = [], []
    for column, label in SERIES:
        for sample in ("complete years", "all years"):
            frame = yearly if sample == "all years" else yearly[yearly["is_universe_complete"].astype(bool)]
            row = {
                "series": label,
                "sample": sample + (" (default)" if (sample == "all years") == include_incomplete else ""),
            }
            try:
                fit = fit_quadratic(frame["year"], frame[column], origin=pair.year_from, expect="maximum")
            except FitError as exc:
                fit_rows.append(row | {"turning_point_note": str(exc)})
                continue
            fit_rows.append(row | fit.as_row())
            if (sample == "all years") == include_incomplete:
                fits.append(fit)
    return fits, pd.DataFrame(fit_rows)


def _fit_notes(
    fits: list, left_years: dict, pair: ComparisonPair, default: str, include_incomplete: bool, names, claims, params
) -> list:
    """How the fit is made, which years it leaves out, and each series' turning point."""
    notes = [
        "Fit y = b0 + b1·t + b2·t² by OLS on t = year − "
        f"{pair.year_from}, HC1 standard errors (statsmodels). The turning point −b1/(2·b2) with a delta-method 95 % "
        "interval (t with n − 3 degrees of freedom) is an inverted U only if b2 < 0 and it lies inside the years "
        "fitted; otherwise the table says why there is none. With so few years it describes the series and tests "
        "little."
    ]
    text = f"The default fit uses the {default}: " + (
        f"{len(left_years)} incomplete universe-year{'s' if len(left_years) != 1 else ''} "
        + ("kept in" if include_incomplete else "left out")
        + f" ({years_text(left_years, names)}); in them the mean is over a universe lacking a member."
        if left_years
        else "no year is incomplete."
    )
    notes.append(add_claim(claims, "fit_left_out", text, sorted(left_years), YEARLY_SQL, params))
    for fit, (_, label) in zip(fits, SERIES, strict=False):
        tp = fit.turning_point
        notes.append(
            add_claim(
                claims,
                f"turning_point_{label.split()[-1].lower()}",
                f"{label}: {tp.describe()} (n = {fit.n}, R² = {fit.r_squared:.3f}).",
                tp.value if tp.interior else None,
                YEARLY_SQL,
                params,
            )
        )
    return notes
