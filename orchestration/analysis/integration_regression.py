"""The concentration–integration relation (issue 24), estimated with its uncertainty.

(a) Sector level: the locational Gini (and the Hoover coefficient) of each manufacturing IO
    sector's total output across provinces (mart_io_concentration) on the sector's domestic
    integration, Σ outflows to other provinces / Σ output (mart_io_integration, nation_sector
    outflow_share), and its square; sector and year fixed effects; SEs clustered by sector.
(b) Province level: Krugman specialization against all provinces on the IO manufacturing
    sectors (mart_io_specialization) on the province's manufacturing outflow share
    (province_manufacturing) and its square; year fixed effects; SEs clustered by province.

Only the editions whose tables separate domestic from foreign flows enter (2012, 2017): two
observations per sector or province at most. A sector is the same across editions when the seed
io_sector_division maps it to the same GB/T 4754-2011 divisions in both. The formulas live in
the marts; this module only fits (orchestration/statistics.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from ..settings import DBT_PROJECT_DIR
from ..statistics import Fit, FitError, fit_quadratic_fe

SCHEMA = "analysis"


@dataclass(frozen=True)
class AnalysisTable:
    name: str
    description: str
    columns: dict[str, str]
    types: dict[str, str]  # DuckDB type of each column, so the table's shape never depends on its values


TABLE = AnalysisTable(
    name="mart_integration_regression",
    description=(
        "The concentration–integration relation estimated from the input-output tables (docs/integration.md): "
        "(a) sector level, locational Gini or Hoover of each manufacturing IO sector's total output across "
        "provinces on the sector's domestic integration (Σ outflow to other provinces / Σ output) and its square, "
        "sector and year fixed effects, SEs clustered by sector; (b) province level, Krugman specialization "
        "(IO manufacturing sectors, against all provinces) on the province's manufacturing outflow share and its "
        "square, year fixed effects, SEs clustered by province. One row per model and term. Only 2012 and 2017 "
        "separate domestic from foreign flows: the samples are small (see sample_note) and the estimates "
        "descriptive, not a test of the inverted U."
    ),
    columns={
        "model": "sector_locational_gini, sector_hoover or province_krugman",
        "dependent": "The dependent variable and the mart it comes from",
        "regressor": "The integration measure x and the mart it comes from",
        "term": "integration (b1, the coefficient on x) or integration_squared (b2, on x²)",
        "coefficient": "OLS estimate; any sign; null with null_reason when the model cannot be fitted",
        "std_error": "Cluster-robust standard error (clusters: sector or province), ≥ 0; null with null_reason",
        "p_value": "Two-sided p-value, t distribution with G − 1 df (G clusters, statsmodels' default for "
        "clustered SEs), range [0, 1]; null with null_reason",
        "ci_low": "95 % interval, lower end (t with G − 1 df); null with null_reason",
        "ci_high": "95 % interval, upper end; null with null_reason",
        "n": "Observations used (sector-years or province-years), ≥ 0",
        "n_clusters": "Clusters behind the standard errors, ≥ 0",
        "n_parameters": "Parameters estimated, fixed-effect dummies included, ≥ 3",
        "r_squared_within": "Within R²: share of the variance left after the fixed effects that x and x² explain, "
        "range [0, 1]; null with null_reason",
        "fixed_effects": "The fixed effects absorbed (dummies)",
        "turning_point": "x* = −b1 / (2·b2), in units of x (a share); null with null_reason or when b2 = 0",
        "turning_point_se": "Delta-method standard error of x*, ≥ 0; null when x* is",
        "turning_point_ci_low": "x* − t(0.975, df)·SE, df = clusters − 1 (Stata's nlcom, df(e(df_r))); null when x* is",
        "turning_point_ci_high": "x* + t(0.975, df)·SE; null when x* is",
        "turning_point_kind": "maximum (b2 < 0, an inverted U) or minimum (b2 > 0); null when x* is",
        "turning_point_interior": "Whether x* is a maximum inside the observed range of x",
        "turning_point_note": "The turning point in words, or why there is no interior one",
        "editions": "Benchmark years in the sample, comma-separated",
        "n_sectors": "Sectors in the sample, ≥ 0",
        "n_provinces": "Provinces in the sample, ≥ 0",
        "sample_note": "The sample's limits in words: how few observations and clusters the estimate rests on",
        "null_reason": "Why the model has no estimate (too few observations, not identified); null when fitted",
    },
    types={
        **dict.fromkeys(["model", "dependent", "regressor", "term", "fixed_effects"], "varchar"),
        **dict.fromkeys(["coefficient", "std_error", "p_value", "ci_low", "ci_high", "r_squared_within"], "double"),
        **dict.fromkeys(["n", "n_clusters", "n_parameters", "n_sectors", "n_provinces"], "integer"),
        **dict.fromkeys(
            ["turning_point", "turning_point_se", "turning_point_ci_low", "turning_point_ci_high"], "double"
        ),
        "turning_point_kind": "varchar",
        "turning_point_interior": "boolean",
        **dict.fromkeys(["turning_point_note", "editions", "sample_note", "null_reason"], "varchar"),
    },
)

# the inverted U: concentration rises with integration, then falls
EXPECT = "maximum"


def _sector_key() -> pd.DataFrame:
    """The divisions each edition's IO sector covers (seed io_sector_division): a sector is one
    panel unit across editions when its division set is the same."""
    seed = pd.read_csv(DBT_PROJECT_DIR / "seeds" / "io_sector_division.csv", dtype=str)
    keys = seed.groupby(["io_edition", "io_code"]).industry_code.agg(lambda s: ",".join(sorted(s))).reset_index()
    keys["year"] = keys.io_edition.astype(int)
    return keys.rename(columns={"industry_code": "sector_key"})[["year", "io_code", "sector_key"]]


def sector_panel(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    panel = con.execute(
        """
        select c.io_code, c.year, c.locational_gini, c.hoover_localization, i.outflow_share as integration
        from marts.mart_io_concentration c
        inner join marts.mart_io_integration i
            on i.level = 'nation_sector' and i.unit_code = 'all_provinces'
            and i.io_code = c.io_code and i.year = c.year
        where i.outflow_share is not null
        """
    ).df()
    return panel.merge(_sector_key(), on=["year", "io_code"], how="left")


def province_panel(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute(
        """
        select s.province_code, s.year, s.krugman_specialization, i.outflow_share as integration
        from marts.mart_io_specialization s
        inner join marts.mart_io_integration i
            on i.level = 'province_manufacturing' and i.unit_code = s.province_code and i.year = s.year
        where i.outflow_share is not null and s.krugman_specialization is not null
        """
    ).df()


def _rows(model: str, dependent: str, regressor: str, frame: pd.DataFrame, y: str, unit: str, effects: dict) -> list:
    # a unit observed once carries no within information once its effect is absorbed (reghdfe drops it)
    absorbed = unit in effects.values()
    if absorbed:
        frame = frame[frame.groupby(unit)[unit].transform("size") > 1]
    sample = _sample_columns(frame)
    base = {"model": model, "dependent": dependent, "regressor": regressor, "fixed_effects": " + ".join(effects)}
    try:
        fit = fit_quadratic_fe(
            frame.integration,
            frame[y],
            effects={name: frame[column] for name, column in effects.items()},
            groups=frame[unit],
            expect=EXPECT,
        )
    except FitError as exc:
        return _unfitted_rows(base, sample, frame, exc)
    n_parameters = 3 + sum(frame[column].nunique() - 1 for column in effects.values())
    note = _sample_note(fit, sample["editions"], n_parameters, absorbed)
    return _fitted_rows(base, sample, fit, n_parameters, note)


def _sample_columns(frame: pd.DataFrame) -> dict:
    """The editions, sectors and provinces a model's sample covers."""
    years = sorted(frame.year.unique())
    return {
        "editions": ", ".join(str(year) for year in years),
        "n_sectors": int(frame.sector_key.nunique()) if "sector_key" in frame else 0,
        "n_provinces": int(frame.province_code.nunique()) if "province_code" in frame else 0,
    }


def _unfitted_rows(base: dict, sample: dict, frame: pd.DataFrame, exc: FitError) -> list:
    """A model that cannot be fitted still has its two rows, with the reason and no estimates."""
    reason = str(exc) if len(frame) else f"{exc} (no unit has a value in two editions that separate the flows)"
    return [
        {**base, **sample, "term": term, "n": len(frame), "null_reason": reason, "sample_note": ""}
        for term in ("integration", "integration_squared")
    ]


def _sample_note(fit: Fit, editions: str, n_parameters: int, absorbed: bool) -> str:
    """How few observations, clusters and degrees of freedom the estimates rest on, in words."""
    return (
        f"{fit.n} observations ({editions}), {fit.n_clusters} clusters, {n_parameters} parameters: "
        f"{fit.n - n_parameters} residual degrees of freedom. "
        + (
            "With a fixed effect per unit and two editions, each unit contributes one change between them. "
            if absorbed
            else ""
        )
        + "A small sample: read the estimates as descriptive, not as a test of the inverted U."
    )


def _fitted_rows(base: dict, sample: dict, fit: Fit, n_parameters: int, note: str) -> list:
    """One row per term (x and x²), each with the fit's statistics and turning point."""
    tp = fit.turning_point
    rows = []
    for term, coefficient in (("integration", fit.coefficient("t")), ("integration_squared", fit.coefficient("t²"))):
        rows.append(
            {
                **base,
                **sample,
                "term": term,
                "coefficient": coefficient.estimate,
                "std_error": coefficient.se,
                "p_value": coefficient.p_value,
                "ci_low": coefficient.ci_low,
                "ci_high": coefficient.ci_high,
                "n": fit.n,
                "n_clusters": fit.n_clusters,
                "n_parameters": n_parameters,
                "r_squared_within": fit.r_squared,
                "turning_point": tp.value,
                "turning_point_se": tp.se,
                "turning_point_ci_low": tp.ci_low,
                "turning_point_ci_high": tp.ci_high,
                "turning_point_kind": tp.kind,
                "turning_point_interior": tp.interior,
                "turning_point_note": _turning_point_note(tp),
                "sample_note": note,
                "null_reason": None,
            }
        )
    return rows


def _turning_point_note(tp) -> str:
    """The turning point in words, x written in % as the report's scatter draws it (the columns keep
    the share); an interval reaching below 0 % is said to hold values no share takes."""
    note = tp.describe(fmt=lambda v: f"{100 * v:.1f} %")
    if tp.interior and tp.ci_low < 0:
        note += "; the interval reaches below 0 %, which no share takes: the delta method's interval is symmetric"
    return note


def regression_table(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    sectors, provinces = sector_panel(con), province_panel(con)
    x_sector = "domestic integration: Σ outflow / Σ output (mart_io_integration nation_sector outflow_share)"
    x_province = "manufacturing outflow share (mart_io_integration province_manufacturing outflow_share)"
    fe_sector = {"sector": "sector_key", "year": "year"}
    rows = [
        *_rows(
            "sector_locational_gini",
            "locational Gini of total output (mart_io_concentration)",
            x_sector,
            sectors,
            "locational_gini",
            "sector_key",
            fe_sector,
        ),
        *_rows(
            "sector_hoover",
            "Hoover localization of total output (mart_io_concentration)",
            x_sector,
            sectors,
            "hoover_localization",
            "sector_key",
            fe_sector,
        ),
        *_rows(
            "province_krugman",
            "Krugman specialization vs all provinces (mart_io_specialization)",
            x_province,
            provinces,
            "krugman_specialization",
            "province_code",
            {"year": "year"},
        ),
    ]
    return pd.DataFrame(rows, columns=list(TABLE.columns))


def write_regression_table(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Compute the table and write it, described, into the build database's analysis schema."""
    frame = regression_table(con)
    missing = frame.astype(object).where(frame.notna(), None)  # NaN is a missing value, never a number
    con.execute(f"create schema if not exists {SCHEMA}")
    con.register("regression_frame", missing)
    columns = ", ".join(f'cast("{c}" as {TABLE.types[c]}) as "{c}"' for c in TABLE.columns)
    con.execute(f"create or replace table {SCHEMA}.{TABLE.name} as select {columns} from regression_frame")
    con.unregister("regression_frame")
    con.execute(f"comment on table {SCHEMA}.{TABLE.name} is {_literal(TABLE.description)}")
    for column, text in TABLE.columns.items():
        con.execute(f'comment on column {SCHEMA}.{TABLE.name}."{column}" is {_literal(text)}')
    return frame


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
