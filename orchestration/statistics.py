"""Trend fits with their uncertainty: the one place in the project where a model is estimated.

Every fitted number leaves here with its standard error, its sample and its fit, as Stata's
``esttab`` or R's ``modelsummary`` print it: OLS by statsmodels with heteroskedasticity-robust
(HC1, Stata's ``, robust``) standard errors, or cluster-robust ones when groups are given (Stata's
``, vce(cluster g)``: the G/(G−1)·(N−1)/(N−K) small-sample factor). A quadratic trend also gives
its turning point −b1/(2·b2) with a delta-method 95 % interval, or says plainly why there is no
interior turning point. The interval takes the t quantile with the coefficients' degrees of freedom
(n − k, or G − 1 clusters: Stata's ``nlcom, df(e(df_r))``), not ``nlcom``'s default normal one:
with the handful of years a yearbook panel gives, the normal quantile would narrow the interval
(1.96 against 2.57 with 5 degrees of freedom, 12.7 with one).

The regressor is centred on ``origin`` (default: the smallest x) before fitting, so years such as
2005 do not make the design ill-conditioned; the turning point is reported in the units of x.
Tested against a hand-worked example in tests/test_statistics.py.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Coefficient:
    name: str  # const, t, t² (t = x − origin)
    estimate: float
    se: float
    p_value: float
    ci_low: float  # 95 %, t distribution with n − k degrees of freedom (statsmodels' default for OLS)
    ci_high: float


@dataclass(frozen=True)
class TurningPoint:
    """−b1/(2·b2) in the units of x. ``interior`` only when it lies inside the data range and b2 has
    the sign of the shape asked for; ``reason`` says why not otherwise. ``describe`` writes x with the
    given format, so a share can be read in % beside a chart in %."""

    value: float | None
    se: float | None
    ci_low: float | None
    ci_high: float | None
    kind: str | None  # maximum (b2 < 0) or minimum (b2 > 0)
    interior: bool
    why_not: str = ""  # straight, shape or outside: why the point is not interior
    b2_p_value: float | None = None  # a vertex of a curvature that is not significant is said so
    expect: str | None = None  # the shape asked for
    x_range: tuple[float, float] | None = None

    @property
    def reason(self) -> str:
        return self._reason(lambda v: f"{v:.1f}", lambda v: f"{v:g}")

    def _reason(self, point, bound) -> str:
        if self.why_not == "straight":
            return "b2 = 0: the fit is a straight line"
        if self.why_not == "shape":
            shape = "an inverted U" if self.expect == "maximum" else "a U"
            sign = ">" if self.kind == "minimum" else "<"
            low, high = self.x_range
            where = "inside" if low <= self.value <= high else "outside"
            return (
                f"b2 {sign} 0, so the vertex at {point(self.value)} is a {self.kind}, not {shape} "
                f"({where} the data, {bound(low)}–{bound(high)})"
            )
        if self.why_not == "outside":
            low, high = self.x_range
            return (
                f"the {self.kind} of the parabola, {point(self.value)}, lies outside the data "
                f"({bound(low)}–{bound(high)})"
            )
        return ""

    def describe(self, decimals: int = 1, fmt=None) -> str:
        """The turning point in words; ``fmt`` writes a value of x (default: ``decimals`` decimals)."""
        point = fmt or (lambda v: f"{v:.{decimals}f}")
        reason = self._reason(point, fmt or (lambda v: f"{v:g}"))
        if self.why_not == "shape":  # a vertex of the other shape, which may well lie inside the data
            return f"no {'inverted U' if self.expect == 'maximum' else 'U'}: {reason}"
        if not self.interior:
            return f"no interior turning point: {reason}"
        text = (
            f"{self.kind} at {point(self.value)} (95 % CI {point(self.ci_low)} to {point(self.ci_high)}, delta method)"
        )
        if self.b2_p_value is not None and self.b2_p_value >= 0.05:
            # the delta method's interval assumes b2 is well away from 0; here it is not
            text += (
                f"; b2 is not significant at 5 % (p = {self.b2_p_value:.3g}), so neither the vertex nor its "
                "interval is informative"
            )
        return text


@dataclass(frozen=True)
class Fit:
    kind: str  # linear, quadratic
    coefficients: list[Coefficient]
    n: int
    r_squared: float | None
    cov_type: str  # HC1 or cluster
    origin: float
    n_clusters: int | None = None
    turning_point: TurningPoint | None = None
    covariance: np.ndarray = field(default=None, repr=False, compare=False)

    def coefficient(self, name: str) -> Coefficient:
        return next(c for c in self.coefficients if c.name == name)

    def predict(self, x) -> np.ndarray:
        t = np.asarray(x, dtype=float) - self.origin
        return sum(c.estimate * t**power for power, c in enumerate(self.coefficients))

    def as_row(self) -> dict:
        """One flat row for a table: estimate and SE of each coefficient, n, R², turning point."""
        row: dict = {"model": self.kind, "n": self.n, "r_squared": self.r_squared, "se_type": self.cov_type}
        for c in self.coefficients:
            row[f"{c.name}"] = c.estimate
            row[f"se_{c.name}"] = c.se
        if self.turning_point is not None:
            tp = self.turning_point
            row |= {
                "turning_point": tp.value,
                "turning_point_se": tp.se,
                "turning_point_ci_low": tp.ci_low,
                "turning_point_ci_high": tp.ci_high,
                "turning_point_note": tp.describe(),
            }
        return row


class FitError(ValueError):
    """Too few observations, or nothing varies: no fit to report."""


def _prepare(x, y, groups, min_n: int):
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    keep = ~(np.isnan(x) | np.isnan(y))
    g = None if groups is None else np.asarray(groups, dtype=object)[keep]
    x, y = x[keep], y[keep]
    if len(x) < min_n:
        raise FitError(f"{len(x)} observations, at least {min_n} needed")
    if np.unique(x).size < min_n - 1:
        raise FitError(f"{np.unique(x).size} distinct x values: too few for the model")
    return x, y, g


def _ols(design: np.ndarray, y: np.ndarray, names: Sequence[str], groups):
    # OLS from its own module: statsmodels.api imports every model and scipy.stats (about 0.25 s more
    # in each refresh process that fits)
    from statsmodels.regression.linear_model import OLS

    model = OLS(y, design)
    # use_t: p-values and coefficient intervals from t with n − k df, as Stata's regress
    if groups is None:
        result = model.fit(cov_type="HC1", use_t=True)
        cov_type, n_clusters = "HC1", None
    else:
        codes = np.unique(groups, return_inverse=True)[1]
        result = model.fit(cov_type="cluster", cov_kwds={"groups": codes}, use_t=True)
        cov_type, n_clusters = "cluster", int(codes.max() + 1)
    ci = np.asarray(result.conf_int(0.05))
    coefficients = [
        Coefficient(
            name,
            float(result.params[i]),
            float(result.bse[i]),
            float(result.pvalues[i]),
            float(ci[i, 0]),
            float(ci[i, 1]),
        )
        for i, name in enumerate(names)
    ]
    r2 = float(result.rsquared) if np.isfinite(result.rsquared) else None
    # the degrees of freedom of the coefficients' t: n − k, or G − 1 with clusters
    df = float(getattr(result, "df_resid_inference", None) or result.df_resid)
    return coefficients, np.asarray(result.cov_params()), r2, cov_type, n_clusters, df


def fit_linear(x, y, *, groups=None, origin: float | None = None) -> Fit:
    """y = b0 + b1·(x − origin), OLS with HC1 (or clustered) standard errors."""
    x, y, g = _prepare(x, y, groups, 3)
    origin = float(x.min()) if origin is None else float(origin)
    t = x - origin
    design = np.column_stack([np.ones_like(t), t])
    coefficients, cov, r2, cov_type, n_clusters, _ = _ols(design, y, ["const", "t"], g)
    return Fit("linear", coefficients, len(y), r2, cov_type, origin, n_clusters, None, cov)


def fit_quadratic(x, y, *, groups=None, origin: float | None = None, expect: str | None = None) -> Fit:
    """y = b0 + b1·t + b2·t², t = x − origin, with the turning point x* = origin − b1/(2·b2).

    ``expect`` = "maximum" (an inverted U) or "minimum" (a U): the turning point is interior only if b2
    has that sign; None accepts either. It must also lie within [min x, max x].
    """
    x, y, g = _prepare(x, y, groups, 4)
    origin = float(x.min()) if origin is None else float(origin)
    t = x - origin
    design = np.column_stack([np.ones_like(t), t, t**2])
    coefficients, cov, r2, cov_type, n_clusters, df = _ols(design, y, ["const", "t", "t²"], g)
    turning = turning_point(coefficients[1], coefficients[2], cov[1:, 1:], origin, x, df, expect)
    return Fit("quadratic", coefficients, len(y), r2, cov_type, origin, n_clusters, turning, cov)


def t_quantile_95(df: float) -> float:
    """The 97.5 % quantile of Student's t with ``df`` degrees of freedom."""
    from scipy.stats import t

    return float(t.ppf(0.975, df))


def turning_point(
    b1: Coefficient,
    b2: Coefficient,
    cov_b1_b2: np.ndarray,
    origin: float,
    x: np.ndarray,
    df: float,
    expect: str | None = None,
) -> TurningPoint:
    """x* = origin − b1/(2·b2); Var by the delta method, gradient (−1/(2·b2), b1/(2·b2²)); the 95 %
    interval x* ± t(0.975, df)·SE."""
    b1_value, b2_value = b1.estimate, b2.estimate
    if b2_value == 0 or not math.isfinite(b2_value):
        return TurningPoint(None, None, None, None, None, False, "straight")
    kind = "maximum" if b2_value < 0 else "minimum"
    value = origin - b1_value / (2 * b2_value)
    gradient = np.array([-1 / (2 * b2_value), b1_value / (2 * b2_value**2)])
    variance = float(gradient @ np.asarray(cov_b1_b2, dtype=float) @ gradient)
    se = math.sqrt(variance) if variance >= 0 else float("nan")
    half = t_quantile_95(df) * se
    low, high = value - half, value + half
    lo_x, hi_x = float(np.min(x)), float(np.max(x))
    if expect is not None and expect != kind:
        why_not = "shape"
    elif not lo_x <= value <= hi_x:
        why_not = "outside"
    else:
        why_not = ""
    return TurningPoint(value, se, low, high, kind, not why_not, why_not, b2.p_value, expect, (lo_x, hi_x))


def fit_quadratic_fe(
    x,
    y,
    *,
    effects: dict[str, Sequence] | None = None,
    groups=None,
    expect: str | None = None,
) -> Fit:
    """y = b0 + b1·x + b2·x² + fixed effects, OLS on dummies (one level of each effect dropped),
    standard errors clustered by ``groups`` (else HC1). The small-sample factor counts the dummies
    (Stata's ``regress`` with ``i.`` dummies, not reghdfe, which drops effects nested in clusters).

    Returns b0, b1 (``t``) and b2 (``t²``) only, with the within R² (the share of the variance left
    after the effects that x and x² explain: 1 − RSS / RSS of y on the effects alone) and the
    turning point −b1/(2·b2) with its delta-method interval, in the units of x (no centring).
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    keep = ~(np.isnan(x) | np.isnan(y))
    effect_columns = []
    for name, values in (effects or {}).items():
        levels = np.asarray(values, dtype=object)[keep]
        for level in sorted(set(levels))[1:]:
            effect_columns.append((f"{name}={level}", (levels == level).astype(float)))
    x, y = x[keep], y[keep]
    g = None if groups is None else np.asarray(groups, dtype=object)[keep]
    k = 3 + len(effect_columns)
    if len(y) <= k:
        raise FitError(f"{len(y)} observations for {k} parameters: no degrees of freedom left")
    dummies = np.column_stack([np.ones_like(x), *[column for _, column in effect_columns]])
    design = np.column_stack([dummies[:, :1], x, x**2, dummies[:, 1:]])
    if np.linalg.matrix_rank(design) < design.shape[1]:
        raise FitError("x and x² do not vary within the fixed effects: the model is not identified")
    names = ["const", "t", "t²", *[name for name, _ in effect_columns]]
    coefficients, cov, _, cov_type, n_clusters, df = _ols(design, y, names, g)
    fitted = design @ np.array([c.estimate for c in coefficients])
    rss = float(np.sum((y - fitted) ** 2))
    effects_only = np.linalg.lstsq(dummies, y, rcond=None)[0]
    rss_effects = float(np.sum((y - dummies @ effects_only) ** 2))
    within = 1 - rss / rss_effects if rss_effects > 0 else None
    turning = turning_point(coefficients[1], coefficients[2], cov[1:3, 1:3], 0.0, x, df, expect)
    return Fit("quadratic_fe", coefficients[:3], len(y), within, cov_type, 0.0, n_clusters, turning, cov[:3, :3])
