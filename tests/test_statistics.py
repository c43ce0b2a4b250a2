"""orchestration.statistics against a quadratic worked by hand (exact fractions, no statsmodels).

Data: x = −2, −1, 0, 1, 2 and y = 1, 3, 4, 4, 2. The x are symmetric, so X'X = [[5, 0, 10], [0, 10, 0],
[10, 0, 34]] and its inverse is (1/70)·[[34, 0, −10], [0, 7, 0], [−10, 0, 5]]. With Σy = 14, Σxy = 3 and
Σx²y = 19: b1 = 3/10, b0 = (34·14 − 10·19)/70 = 143/35, b2 = (−10·14 + 5·19)/70 = −9/14.
Residuals e = (3, −5, −3, 9, −4)/35 (they sum to 0 and are orthogonal to x and x²); SSR = 4/35,
TSS = 6.8, R² = 1 − (4/35)/6.8 = 117/119.
HC1: V = n/(n − k) · A·M·A with A = (X'X)⁻¹, M_jk = Σ e_i² x_i^(j+k), n/(n − k) = 5/2.
Turning point x* = −b1/(2·b2) = 7/30, a maximum (b2 < 0) inside [−2, 2]; delta method with gradient
(−1/(2·b2), b1/(2·b2²)) = (7/9, 49/135).
"""

from __future__ import annotations

import math
from fractions import Fraction as F

import numpy as np
import pytest

from orchestration.statistics import FitError, fit_linear, fit_quadratic

X = [-2, -1, 0, 1, 2]
Y = [1, 3, 4, 4, 2]


def _hand():
    b0, b1, b2 = F(143, 35), F(3, 10), F(-9, 14)
    e = [F(y) - (b0 + b1 * x + b2 * x * x) for x, y in zip(X, Y, strict=True)]
    assert e == [F(3, 35), F(-5, 35), F(-3, 35), F(9, 35), F(-4, 35)]
    s = [sum(ei * ei * F(x) ** p for ei, x in zip(e, X, strict=True)) for p in range(5)]
    assert s == [F(140, 1225), F(70, 1225), F(206, 1225), F(112, 1225), F(506, 1225)]
    a = [[F(34, 70), 0, F(-10, 70)], [0, F(7, 70), 0], [F(-10, 70), 0, F(5, 70)]]
    m = [[s[j + k] for k in range(3)] for j in range(3)]
    v = [
        [F(5, 2) * sum(a[i][j] * m[j][k] * a[k][ll] for j in range(3) for k in range(3)) for ll in range(3)]
        for i in range(3)
    ]
    tp = -b1 / (2 * b2)
    g = (-1 / (2 * b2), b1 / (2 * b2 * b2))
    assert tp == F(7, 30) and g == (F(7, 9), F(49, 135))
    var_tp = g[0] ** 2 * v[1][1] + 2 * g[0] * g[1] * v[1][2] + g[1] ** 2 * v[2][2]
    return (b0, b1, b2), v, tp, var_tp


def test_the_quadratic_matches_the_hand_worked_example():
    (b0, b1, b2), v, _, var_tp = _hand()
    # the hand-worked variances, in lowest terms
    assert v[0][0] == F(1809, 60025) and v[1][1] == F(103, 24500) and v[2][2] == F(121, 48020)
    assert v[1][2] == F(-1, 2450) and var_tp == F(241, 91125)
    fit = fit_quadratic(X, Y, origin=0, expect="maximum")
    assert fit.n == 5 and fit.cov_type == "HC1"
    assert fit.r_squared == pytest.approx(117 / 119, abs=1e-12)
    for coefficient, b, var in zip(fit.coefficients, (b0, b1, b2), (v[0][0], v[1][1], v[2][2]), strict=True):
        assert coefficient.estimate == pytest.approx(float(b), abs=1e-12)
        assert coefficient.se == pytest.approx(math.sqrt(var), rel=1e-10)
    # the numbers as printed: b (SE) = 4.0857 (0.1736), 0.3000 (0.0648), −0.6429 (0.0502)
    assert [round(c.se, 4) for c in fit.coefficients] == [0.1736, 0.0648, 0.0502]
    turning = fit.turning_point
    assert turning.interior and turning.kind == "maximum"
    assert turning.value == pytest.approx(7 / 30, abs=1e-12)
    assert turning.se == pytest.approx(math.sqrt(var_tp), rel=1e-10)
    assert turning.se == pytest.approx(0.0514268, abs=1e-6)
    # the interval takes t with the coefficients' n − k = 2 degrees of freedom; t with 2 df has the
    # distribution function 1/2 + q/(2·√(q² + 2)), so its 97.5 % quantile is 0.95·√(2/(1 − 0.95²))
    q = 0.95 * math.sqrt(2 / (1 - 0.95**2))
    assert (turning.ci_low, turning.ci_high) == pytest.approx((7 / 30 - q * turning.se, 7 / 30 + q * turning.se))
    assert (round(turning.ci_low, 4), round(turning.ci_high, 4)) == (0.0121, 0.4546)
    # b2 = −0.6429 (0.0502) is significant: nothing added to the sentence
    assert turning.describe(4) == "maximum at 0.2333 (95 % CI 0.0121 to 0.4546, delta method)"


def test_years_shift_the_turning_point_and_nothing_else():
    near, far = fit_quadratic(X, Y, origin=0), fit_quadratic([x + 2010 for x in X], Y)
    assert far.origin == 2008 and far.turning_point.value == pytest.approx(2010 + 7 / 30, abs=1e-9)
    assert far.turning_point.se == pytest.approx(near.turning_point.se, rel=1e-8)
    assert far.coefficient("t²").se == pytest.approx(near.coefficient("t²").se, rel=1e-8)
    assert far.predict([2010])[0] == pytest.approx(143 / 35, abs=1e-9)


def test_clusters_of_one_observation_give_the_hc1_errors():
    # cluster-robust with G = n singleton groups and the factor G/(G−1)·(N−1)/(N−K) = n/(n−k): HC1
    hc1, clustered = fit_quadratic(X, Y, origin=0), fit_quadratic(X, Y, origin=0, groups=list("abcde"))
    assert clustered.cov_type == "cluster" and clustered.n_clusters == 5
    assert np.allclose([c.se for c in clustered.coefficients], [c.se for c in hc1.coefficients], rtol=1e-10)


def test_no_interior_turning_point_is_said_so():
    # a U (b2 > 0) when an inverted U is claimed
    u = fit_quadratic(X, [4, 2, 1, 2, 5], origin=0, expect="maximum")
    assert not u.turning_point.interior and u.turning_point.kind == "minimum"
    # b1 = Σxy/Σx² = 2/10, b2 = 6/7 (normal equations 5·b0 + 10·b2 = 14, 10·b0 + 34·b2 = 40): the vertex
    # −b1/(2·b2) = −7/60 lies inside the data, a minimum, which the sentence says rather than "no turning point"
    assert u.turning_point.value == pytest.approx(-7 / 60, abs=1e-12)
    assert u.turning_point.describe() == (
        "no inverted U: b2 > 0, so the vertex at -0.1 is a minimum, not an inverted U (inside the data, -2–2)"
    )
    # the vertex outside the data: y rising and flattening, maximum beyond the last x
    outside = fit_quadratic(X, [0, 2.1, 3.9, 5.4, 6.8], origin=0, expect="maximum")
    assert outside.turning_point.kind == "maximum" and outside.turning_point.value > 2
    assert not outside.turning_point.interior and "outside the data (-2–2)" in outside.turning_point.reason


def test_the_linear_trend_and_too_few_points():
    # x = 0, 1, 2 and y = 1, 2.5, 5: slope Σ(x−x̄)y/Σ(x−x̄)² = (−1 + 5)/2 = 2, intercept 17/6 − 2 = 5/6
    fit = fit_linear([0, 1, 2], [1, 2.5, 5])
    assert fit.coefficient("t").estimate == pytest.approx(2.0)
    # residuals (1/6, −1/3, 1/6); HC1 Var(b1) = n/(n−k) · Σ(x−x̄)²e²/(Σ(x−x̄)²)² = 3 · (1/18)/4 = 1/24
    assert fit.coefficient("t").se == pytest.approx(math.sqrt(1 / 24), rel=1e-10)
    # SSR = 1/36 + 1/9 + 1/36 = 1/6, TSS = (121 + 4 + 169)/36 = 49/6: R² = 48/49
    assert fit.r_squared == pytest.approx(48 / 49, abs=1e-12) and fit.n == 3
    with pytest.raises(FitError):
        fit_quadratic([2005, 2006, 2007], [1, 2, 3])
    assert fit_quadratic([1, 2, 3, 4, np.nan], [1, 4, 9, 15, 2]).n == 4


# -- fixed effects and clustered standard errors: a tiny panel solved in closed form -------------
#
# Three sectors (the clusters) × three years, y = b0 + b1·x + b2·x² + sector and year dummies
# (sector A and year 1 the base). Closed form in exact fractions, no library: b = (X'X)⁻¹X'y; the
# cluster-robust V = c·(X'X)⁻¹·(Σg X_g'e_g e_g'X_g)·(X'X)⁻¹ with Stata's c = G/(G−1)·(N−1)/(N−K)
# = 3/2·8/2 = 6; p-values from t with G − 1 = 2 df, whose two-sided tail is 1 − |t|/√(t² + 2);
# within R² = 1 − RSS / RSS(y on the dummies alone).

PANEL_SECTOR = ["A", "A", "A", "B", "B", "B", "C", "C", "C"]
PANEL_YEAR = [1, 2, 3] * 3
PANEL_X = [F(1, 10), F(3, 10), F(2, 10), F(2, 10), F(5, 10), F(4, 10), F(3, 10), F(4, 10), F(6, 10)]
PANEL_Y = [F(1), F(3), F(2), F(2), F(5), F(3), F(4), F(4), F(6)]


def _inverse(m):
    n = len(m)
    a = [[F(v) for v in row] + [F(int(i == j)) for j in range(n)] for i, row in enumerate(m)]
    for col in range(n):
        pivot = next(r for r in range(col, n) if a[r][col] != 0)
        a[col], a[pivot] = a[pivot], a[col]
        a[col] = [v / a[col][col] for v in a[col]]
        for r in range(n):
            if r != col and a[r][col] != 0:
                a[r] = [v - a[r][col] * w for v, w in zip(a[r], a[col], strict=True)]
    return [row[n:] for row in a]


def _matmul(a, b):
    return [[sum(a[i][k] * b[k][j] for k in range(len(b))) for j in range(len(b[0]))] for i in range(len(a))]


def _transpose(a):
    return [list(col) for col in zip(*a, strict=True)]


def _ols_exact(design, y):
    xtx_inv = _inverse(_matmul(_transpose(design), design))
    b = [row[0] for row in _matmul(xtx_inv, _matmul(_transpose(design), [[v] for v in y]))]
    e = [yi - sum(bj * xj for bj, xj in zip(b, row, strict=True)) for row, yi in zip(design, y, strict=True)]
    return b, e, xtx_inv


def _panel_by_hand():
    dummies = [
        [F(1), F(s == "B"), F(s == "C"), F(t == 2), F(t == 3)] for s, t in zip(PANEL_SECTOR, PANEL_YEAR, strict=True)
    ]
    design = [[d[0], x, x * x, *d[1:]] for d, x in zip(dummies, PANEL_X, strict=True)]
    b, e, xtx_inv = _ols_exact(design, PANEL_Y)
    meat = [[F(0)] * 7 for _ in range(7)]
    for g in "ABC":
        score = [
            sum(row[j] * ei for row, ei, s in zip(design, e, PANEL_SECTOR, strict=True) if s == g) for j in range(7)
        ]
        meat = [[meat[i][j] + score[i] * score[j] for j in range(7)] for i in range(7)]
    v = [[6 * value for value in row] for row in _matmul(_matmul(xtx_inv, meat), xtx_inv)]
    _, e_dummies, _ = _ols_exact(dummies, PANEL_Y)
    r2_within = 1 - sum(ei * ei for ei in e) / sum(ei * ei for ei in e_dummies)
    tp = -b[1] / (2 * b[2])
    g = (-1 / (2 * b[2]), b[1] / (2 * b[2] * b[2]))
    var_tp = g[0] ** 2 * v[1][1] + 2 * g[0] * g[1] * v[1][2] + g[1] ** 2 * v[2][2]
    return b, v, r2_within, tp, var_tp


def test_fixed_effects_and_clustered_errors_match_the_closed_form():
    from orchestration.statistics import fit_quadratic_fe

    b, v, r2_within, tp, var_tp = _panel_by_hand()
    fit = fit_quadratic_fe(
        [float(x) for x in PANEL_X],
        [float(y) for y in PANEL_Y],
        effects={"sector": PANEL_SECTOR, "year": PANEL_YEAR},
        groups=PANEL_SECTOR,
    )
    assert (fit.n, fit.n_clusters, fit.cov_type, fit.kind) == (9, 3, "cluster", "quadratic_fe")
    for name, i in (("const", 0), ("t", 1), ("t²", 2)):
        assert fit.coefficient(name).estimate == pytest.approx(float(b[i]), rel=1e-9)
        assert fit.coefficient(name).se == pytest.approx(math.sqrt(v[i][i]), rel=1e-9)
    for name, i in (("t", 1), ("t²", 2)):
        t = abs(float(b[i])) / math.sqrt(v[i][i])
        assert fit.coefficient(name).p_value == pytest.approx(1 - t / math.sqrt(t * t + 2), rel=1e-9)
    assert fit.r_squared == pytest.approx(float(r2_within), rel=1e-9)
    turning = fit.turning_point
    assert turning.value == pytest.approx(float(tp), rel=1e-9)
    assert turning.se == pytest.approx(math.sqrt(var_tp), rel=1e-9)
    # three clusters: t with G − 1 = 2 degrees of freedom, as the coefficients' p-values above
    q = 0.95 * math.sqrt(2 / (1 - 0.95**2))
    assert turning.ci_low == pytest.approx(float(tp) - q * math.sqrt(var_tp), rel=1e-9)


def test_fixed_effects_fit_refuses_a_panel_without_degrees_of_freedom():
    from orchestration.statistics import fit_quadratic_fe

    with pytest.raises(FitError, match="no degrees of freedom"):
        fit_quadratic_fe([0.1, 0.2, 0.3, 0.4], [1, 2, 3, 4], effects={"unit": ["a", "b", "c", "d"]})
