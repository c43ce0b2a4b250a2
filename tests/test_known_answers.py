"""Known-answer cases of ../shared/docs/known-answers.md, run through the real dbt model SQL.

Each case becomes an int_metric_input fixture (one universe, one year); the compiled
int_metric_shares and mart models run on it unchanged.
"""

from __future__ import annotations

import itertools

import pandas as pd
import pytest

TOL = 1e-9

# KA-1: the M5 matrix (rows regions R1..R5, columns industries I1..I5).
M5 = {
    "R1": [100, 0, 0, 0, 0],
    "R2": [0, 15, 5, 70, 10],
    "R3": [0, 20, 10, 20, 50],
    "R4": [0, 25, 30, 5, 40],
    "R5": [0, 40, 55, 5, 0],
}
INDUSTRIES = ["I1", "I2", "I3", "I4", "I5"]


def metric_input(
    matrix: dict[str, list[float]], industries: list[str], universe: str = "ka", year: int = 2000
) -> pd.DataFrame:
    rows = []
    for region, values in matrix.items():
        for industry, value in zip(industries, values):
            rows.append(
                {
                    "universe_code": universe,
                    "industry_set": "year_common",
                    "year": year,
                    "indicator": "known_answer",
                    "province_code": region,
                    "industry_code": industry,
                    "value": float(value),
                    "source_vintage": "2011",
                    "manufacturing_total": float(sum(values)),
                    "n_members": len(matrix),
                    "n_members_present": len(matrix),
                    "n_industries": len(industries),
                    "quarantine_reach": None,
                }
            )
    return pd.DataFrame(rows)


METRIC_MARTS = (
    "mart_location_quotient",
    "mart_specialization_relative",
    "mart_specialization_bilateral",
    "mart_region_structure",
    "mart_industry_concentration",
)


def series_breaks(rows: list[tuple[str, str | None, str, int]] = ()) -> pd.DataFrame:
    """int_series_break rows: (break_code, province_code or None for all, indicator, first_year)."""
    frame = pd.DataFrame(list(rows), columns=["break_code", "province_code", "indicator", "first_year"])
    frame = frame.astype({"break_code": str, "province_code": object, "indicator": str, "first_year": "int64"})
    return frame.assign(break_origin="known", description="")


def run_metrics(model_runner, matrix, industries):
    model_runner.given("intermediate", "int_metric_input", metric_input(matrix, industries))
    model_runner.build("intermediate", "int_metric_shares")
    return {name: model_runner.build("marts", name) for name in METRIC_MARTS}


def with_population(values: list[float], population: list[float], scale: float) -> dict[str, list[float]]:
    """A universe whose region weights λ are the population shares: the industry column plus an
    'other' column filling each region up to scale × its population (EconGeo's pop argument)."""
    return {f"R{i + 1}": [v, p * scale - v] for i, (v, p) in enumerate(zip(values, population))}


def test_ka1_location_quotients(model_runner):
    lq = run_metrics(model_runner, M5, INDUSTRIES)["mart_location_quotient"]
    expected = {
        "R1": [5.00, 0.00, 0.00, 0.00, 0.00],
        "R2": [0.00, 0.75, 0.25, 3.50, 0.50],
        "R3": [0.00, 1.00, 0.50, 1.00, 2.50],
        "R4": [0.00, 1.25, 1.50, 0.25, 2.00],
        "R5": [0.00, 2.00, 2.75, 0.25, 0.00],
    }
    got = lq.set_index(["province_code", "industry_code"])["lq"]
    for region, values in expected.items():
        for industry, value in zip(INDUSTRIES, values):
            assert got[(region, industry)] == pytest.approx(value, abs=TOL), (region, industry)


def test_ka1_binary_specialisation_is_inclusive(model_runner):
    lq = run_metrics(model_runner, M5, INDUSTRIES)["mart_location_quotient"]
    binary = lq.pivot(index="province_code", columns="industry_code", values="is_specialised").astype(int)
    # EconGeo rule (LQ >= 1); R3-I2 and R3-I4 are exactly 1 and count as specialised.
    assert binary.loc["R3"].tolist() == [0, 1, 0, 1, 1]
    assert binary.values.tolist() == [
        [1, 0, 0, 0, 0],
        [0, 0, 0, 1, 0],
        [0, 1, 0, 1, 1],
        [0, 1, 1, 0, 1],
        [0, 1, 1, 0, 0],
    ]
    symmetric = lq.set_index(["province_code", "industry_code"])["lq_symmetric"]
    assert symmetric[("R1", "I1")] == pytest.approx((5 - 1) / (5 + 1), abs=TOL)
    assert symmetric[("R1", "I2")] == pytest.approx(-1.0, abs=TOL)


def test_ka1_krugman_indices(model_runner):
    spec = run_metrics(model_runner, M5, INDUSTRIES)["mart_specialization_relative"].set_index("province_code")
    expected_vs_universe = {"R1": 1.6, "R2": 1.0, "R3": 0.6, "R4": 0.7, "R5": 1.1}
    expected_vs_rest = {"R1": 2.0, "R2": 1.25, "R3": 0.75, "R4": 0.875, "R5": 1.375}
    for region in M5:
        assert spec.loc[region, "krugman_vs_universe"] == pytest.approx(expected_vs_universe[region], abs=TOL)
        assert spec.loc[region, "krugman_vs_rest"] == pytest.approx(expected_vs_rest[region], abs=TOL)
        assert spec.loc[region, "hoover_specialization"] == pytest.approx(expected_vs_universe[region] / 2, abs=TOL)
        assert spec.loc[region, "hoover_specialization_vs_rest"] == pytest.approx(expected_vs_rest[region] / 2, abs=TOL)
        # metrics.md identity: K[i] = (1 − λ[i])·Krel[i]
        assert spec.loc[region, "krugman_vs_universe"] == pytest.approx(
            (1 - spec.loc[region, "region_weight"]) * spec.loc[region, "krugman_vs_rest"], abs=TOL
        )


def test_ka1_bilateral_krugman(model_runner):
    pairs = run_metrics(model_runner, M5, INDUSTRIES)["mart_specialization_bilateral"]
    got = pairs.set_index(["province_code", "partner_province_code"])["krugman_bilateral"]
    expected = [
        [0, 2, 2, 2, 2],
        [2, 0, 1.0, 1.3, 1.5],
        [2, 1.0, 0, 0.5, 1.3],
        [2, 1.3, 0.5, 0, 0.8],
        [2, 1.5, 1.3, 0.8, 0],
    ]
    regions = list(M5)
    assert len(pairs) == 25
    for (i, a), (j, b) in itertools.product(enumerate(regions), repeat=2):
        assert got[(a, b)] == pytest.approx(expected[i][j], abs=TOL), (a, b)


def test_ka4_krugman_spec_maximum(model_runner):
    # REAT krugman.spec(c(20,10,70,0,0), c(0,0,0,60,40)) = 2: no common industry.
    pairs = run_metrics(model_runner, {"A": [20, 10, 70, 0, 0], "B": [0, 0, 0, 60, 40]}, INDUSTRIES)[
        "mart_specialization_bilateral"
    ]
    got = pairs.set_index(["province_code", "partner_province_code"])["krugman_bilateral"]
    assert got[("A", "B")] == pytest.approx(2.0, abs=TOL)
    assert got[("B", "A")] == pytest.approx(2.0, abs=TOL)
    assert got[("A", "A")] == pytest.approx(0.0, abs=TOL)


def test_ka4_single_location_quotient(model_runner):
    # REAT locq(e_ij=1714, e_j=79006, e_i=879213, e=15593224) = 0.3847623: a 2x2 universe whose
    # margins are those four numbers.
    region_a = [1714, 79006 - 1714]
    region_b = [879213 - 1714, 15593224 - 79006 - (879213 - 1714)]
    lq = run_metrics(model_runner, {"A": region_a, "B": region_b}, ["k", "other"])["mart_location_quotient"]
    value = lq.set_index(["province_code", "industry_code"])["lq"][("A", "k")]
    assert value == pytest.approx((1714 / 79006) / (879213 / 15593224), rel=1e-12)
    assert value == pytest.approx(0.3847623, abs=5e-8)


def test_ka4_goettingen_krugman_against_germany(model_runner):
    # REAT krugman.spec(Goettingen2017, BRD2017) = 0.4508469. The reference is Germany, which
    # contains Goettingen: a universe of Goettingen and the rest of Germany has S[k] = BRD shares.
    goettingen = [45, 466, 7874, 1334, 7051, 2481, 2251, 2032, 1739, 7915, 4875, 3936, 7488, 16896, 900]
    germany = [
        248052,
        538768,
        6797172,
        1798954,
        4380223,
        1713157,
        1062982,
        1027486,
        975126,
        2397099,
        2357313,
        1762308,
        1249260,
        4676036,
        1181037,
    ]
    rest = [g - x for g, x in zip(germany, goettingen)]
    sections = [f"S{n:02d}" for n in range(15)]
    spec = run_metrics(model_runner, {"GOE": goettingen, "REST": rest}, sections)["mart_specialization_relative"]
    assert spec.set_index("province_code").loc["GOE", "krugman_vs_universe"] == pytest.approx(0.4508469, abs=5e-8)


def test_zero_region_total_gives_null_not_zero(model_runner):
    lq = run_metrics(model_runner, {"A": [0, 0], "B": [3, 1], "C": [1, 3]}, ["k1", "k2"])["mart_location_quotient"]
    zero = lq[lq.province_code == "A"]
    assert zero["lq"].isna().all()
    assert set(zero["null_reason"]) == {"zero_region_total"}
    spec_b = lq[lq.province_code == "B"].set_index("industry_code")["lq"]
    assert spec_b["k1"] == pytest.approx((3 / 4) / (4 / 8), abs=TOL)


def test_growth_and_cagr(model_runner):
    # the series of int_industry_series: facts, and manufacturing totals (C) derived where unprinted
    facts = pd.DataFrame(
        {
            "province_code": ["P"] * 4 + ["Q"] * 2 + ["P"] * 2,
            "year": [2010, 2011, 2012, 2013, 2010, 2011, 2010, 2011],
            "industry_code": ["13"] * 6 + ["C"] * 2,
            "indicator": ["x"] * 8,
            "value": [100.0, 110.0, 121.0, None, 0.0, 5.0, 400.0, 500.0],
            "source_vintage": ["2002", "2011", "2011", "2011", "2011", "2011", "2002", "2011"],
            "is_derived_total": [False] * 6 + [True, False],
        }
    )
    model_runner.given("intermediate", "int_industry_series", facts)
    model_runner.given(
        "intermediate",
        "int_series_break",
        series_breaks(
            [("known_2012", None, "x", 2012), ("shift_P_2013", "P", "x", 2013), ("shift_Q_2011", "Q", "x", 2011)]
        ),
    )
    keys = ["province_code", "base_year", "year"]
    every = model_runner.build("marts", "mart_growth")
    growth = every[every["industry_code"] == "13"].set_index(keys)
    assert growth.loc[("P", 2010, 2011), "growth_rate"] == pytest.approx(0.10, abs=TOL)
    assert growth.loc[("P", 2011, 2012), "growth_rate"] == pytest.approx(0.10, abs=TOL)
    assert growth.loc[("P", 2010, 2012), "cagr"] == pytest.approx(0.10, abs=TOL)
    assert growth.loc[("P", 2010, 2012), "growth_rate"] == pytest.approx(0.21, abs=TOL)
    assert bool(growth.loc[("P", 2010, 2011), "crosses_classification_break"]) is True
    assert bool(growth.loc[("P", 2011, 2012), "crosses_classification_break"]) is False
    # Undefined cases are null with a reason, never a number.
    assert pd.isna(growth.loc[("P", 2012, 2013), "growth_rate"])
    assert growth.loc[("P", 2012, 2013), "null_reason"] == "value_missing"
    assert pd.isna(growth.loc[("Q", 2010, 2011), "cagr"])
    assert growth.loc[("Q", 2010, 2011), "null_reason"] == "base_not_positive"
    # a pair names every break with base_year < first_year <= year: known ones of every province,
    # detected ones of its own
    assert growth.loc[("P", 2010, 2013), "series_breaks"] == "known_2012, shift_P_2013"
    assert growth.loc[("P", 2011, 2012), "series_breaks"] == "known_2012"
    assert bool(growth.loc[("P", 2011, 2012), "crosses_series_break"]) is True
    assert pd.isna(growth.loc[("P", 2010, 2011), "series_breaks"])
    assert bool(growth.loc[("P", 2010, 2011), "crosses_series_break"]) is False
    assert growth.loc[("Q", 2010, 2011), "series_breaks"] == "shift_Q_2011"
    # a derived manufacturing total grows like a printed one, and says so
    total = every[every["industry_code"] == "C"].set_index(keys).loc[("P", 2010, 2011)]
    assert total["growth_rate"] == pytest.approx(0.25, abs=TOL)
    assert bool(total["is_derived_total"]) is True
    assert bool(growth.loc[("P", 2010, 2011), "is_derived_total"]) is False


def test_intensity_shares_partition_manufacturing(model_runner, compiled_models):
    facts = pd.DataFrame(
        {
            "province_code": ["P"] * 4,
            "year": [2014] * 4,
            "industry_code": ["13", "26", "39", "43"],
            "industry_level": ["division"] * 4,
            "indicator": ["x"] * 4,
            "value": [30.0, 20.0, 40.0, 10.0],
        }
    )
    classes = pd.DataFrame(
        {
            "mapping_version": ["metrics-md-2026"] * 4,
            "industry_code": ["13", "26", "39", "43"],
            "intensity_class": ["labour", "capital", "technology", "unclassified"],
        }
    )
    coverage = pd.DataFrame(
        {"province_code": ["P"], "year": [2014], "indicator": ["x"], "manufacturing_total": [125.0]}
    )
    model_runner.given("intermediate", "int_industry_facts", facts)
    model_runner.given("reference", "factor_intensity_class", classes)
    model_runner.given("intermediate", "int_manufacturing_coverage", coverage)
    shares = model_runner.build("marts", "mart_intensity_shares").set_index("intensity_class")
    assert shares.loc["labour", "share"] == pytest.approx(0.30, abs=TOL)
    assert shares.loc["capital", "share"] == pytest.approx(0.20, abs=TOL)
    assert shares.loc["technology", "share"] == pytest.approx(0.40, abs=TOL)
    assert shares.loc["unclassified", "share"] == pytest.approx(0.10, abs=TOL)
    assert shares["share"].sum() == pytest.approx(1.0, abs=TOL)
    assert shares.loc["labour", "coverage"] == pytest.approx(100 / 125, abs=TOL)


def test_ka1_region_structure(model_runner):
    region = run_metrics(model_runner, M5, INDUSTRIES)["mart_region_structure"].set_index("province_code")
    expected = {
        "hachman": [0.2, 0.380952381, 0.588235294, 0.634920635, 0.430107527],
        "herfindahl": [1.000, 0.525, 0.340, 0.315, 0.465],
        "herfindahl_normalised": [1.0, 0.40625, 0.175, 0.14375, 0.33125],
        "shannon_entropy": [0, 0.914286, 1.220607, 1.224068, 0.845113],
        "relative_theil": [1.609438, 0.695152, 0.388831, 0.385370, 0.764325],
        "n_specialised_industries": [1, 1, 3, 3, 2],
    }
    for column, values in expected.items():
        for r, value in zip(M5, values):
            assert region.loc[r, column] == pytest.approx(value, abs=1e-6), (column, r)
    spec = run_metrics(model_runner, M5, INDUSTRIES)["mart_specialization_relative"].set_index("province_code")
    for r, value in zip(M5, [2.0, 1.25, 0.75, 0.875, 1.375]):
        assert spec.loc[r, "krugman_vs_mean_others"] == pytest.approx(value, abs=TOL)


def test_ka1_industry_concentration(model_runner):
    industry = run_metrics(model_runner, M5, INDUSTRIES)["mart_industry_concentration"].set_index("industry_code")
    expected = {
        "locational_gini": [0.80, 0.36, 0.54, 0.62, 0.56],
        "hoover_localization": [0.80, 0.25, 0.45, 0.50, 0.50],
        "krugman_concentration": [1.6, 0.5, 0.9, 1.0, 1.0],
        "cr1": [1.00, 0.40, 0.55, 0.70, 0.50],
        "cr2": [1.00, 0.65, 0.85, 0.90, 0.90],
    }
    for column, values in expected.items():
        for k, value in zip(INDUSTRIES, values):
            assert industry.loc[k, column] == pytest.approx(value, abs=1e-6), (column, k)
    # formula checks for the columns KA-1 does not list: CR3, raw G, Herfindahl over regions
    m5 = pd.DataFrame(M5, index=INDUSTRIES).T
    sigma = m5 / m5.sum()
    for k in INDUSTRIES:
        assert industry.loc[k, "cr3"] == pytest.approx(sigma[k].nlargest(3).sum(), abs=TOL)
        assert industry.loc[k, "raw_concentration"] == pytest.approx(((sigma[k] - 0.2) ** 2).sum(), abs=TOL)
        assert industry.loc[k, "herfindahl_regions"] == pytest.approx((sigma[k] ** 2).sum(), abs=TOL)


def test_ka1_structural_similarity(model_runner):
    pairs = run_metrics(model_runner, M5, INDUSTRIES)["mart_specialization_bilateral"]
    got = pairs.set_index(["province_code", "partner_province_code"])["structural_similarity"]
    expected = [
        [1, 0, 0, 0, 0],
        [0, 1, 0.532554, 0.313527, 0.247931],
        [0, 0.532554, 1, 0.886142, 0.364672],
        [0, 0.313527, 0.886142, 1, 0.698943],
        [0, 0.247931, 0.364672, 0.698943, 1],
    ]
    regions = list(M5)
    for (i, a), (j, b) in itertools.product(enumerate(regions), repeat=2):
        assert got[(a, b)] == pytest.approx(expected[i][j], abs=1e-6), (a, b)


def test_ka2_hoover_and_gini_with_population(model_runner):
    ind, pop = [0, 10, 10, 30, 50], [10, 15, 20, 25, 30]
    industry = run_metrics(model_runner, with_population(ind, pop, 10), ["ind", "other"])[
        "mart_industry_concentration"
    ].set_index("industry_code")
    assert industry.loc["ind", "hoover_localization"] == pytest.approx(0.25, abs=1e-9)  # hoover_index 25 (%)
    assert industry.loc["ind", "locational_gini"] == pytest.approx(0.31, abs=1e-9)  # hoover_gini 0.31
    # plain Gini of the vector: equal-sized regions
    equal = run_metrics(model_runner, with_population(ind, [20] * 5, 10), ["ind", "other"])[
        "mart_industry_concentration"
    ].set_index("industry_code")
    assert equal.loc["ind", "locational_gini"] == pytest.approx(0.48, abs=1e-9)  # gini 0.48


def test_ka2_matrix_with_an_all_zero_industry(model_runner):
    hm = [[0, 10, 0, 0], [0, 15, 0, 0], [0, 20, 0, 0], [0, 25, 0, 1], [0, 30, 1, 1]]
    pop = [10, 15, 20, 25, 30]
    matrix = {f"R{i + 1}": [*row, p * 10 - sum(row)] for i, (row, p) in enumerate(zip(hm, pop))}
    industry = run_metrics(model_runner, matrix, ["I1", "I2", "I3", "I4", "other"])[
        "mart_industry_concentration"
    ].set_index("industry_code")
    # I1 is all zero: null with a reason, never 0 (EconGeo gives NaN)
    assert pd.isna(industry.loc["I1", "hoover_localization"]) and pd.isna(industry.loc["I1", "locational_gini"])
    assert industry.loc["I1", "null_reason"] == "zero_industry_total"
    for k, hoover, gini in [("I2", 0.0, 0.0), ("I3", 0.70, 0.700), ("I4", 0.45, 0.475)]:
        assert industry.loc[k, "hoover_localization"] == pytest.approx(hoover, abs=1e-9), k
        assert industry.loc[k, "locational_gini"] == pytest.approx(gini, abs=1e-9), k
    gm = [[0, 1, 0, 0], [0, 1, 0, 0], [0, 1, 0, 0], [0, 1, 0, 1], [0, 1, 1, 1]]
    equal = {f"R{i + 1}": [*row, 10 - sum(row)] for i, row in enumerate(gm)}
    gini = run_metrics(model_runner, equal, ["I1", "I2", "I3", "I4", "other"])["mart_industry_concentration"].set_index(
        "industry_code"
    )["locational_gini"]
    assert pd.isna(gini["I1"])
    assert [gini["I2"], gini["I3"], gini["I4"]] == pytest.approx([0.0, 0.8, 0.6], abs=1e-9)


def test_ka4_specialization_gini_herfindahl_theil(model_runner):
    # gini.spec(E_ij, E_i) = 0.6222222: E_i is the national vector, which contains the region
    e_ij, e_i = [700, 600, 500, 10000, 40000], [30000, 15000, 10000, 60000, 50000]
    ks = ["k1", "k2", "k3", "k4", "k5"]
    region = run_metrics(model_runner, {"R": e_ij, "REST": [n - r for r, n in zip(e_ij, e_i)]}, ks)[
        "mart_region_structure"
    ].set_index("province_code")
    assert region.loc["R", "specialization_gini"] == pytest.approx(0.6222222, abs=1e-6)
    # herf(c(20,50,20,10)) = 0.34, normalised 0.12
    region = run_metrics(model_runner, {"R": [20, 50, 20, 10], "S": [20, 50, 20, 10]}, ks[:4])[
        "mart_region_structure"
    ].set_index("province_code")
    assert region.loc["R", "herfindahl"] == pytest.approx(0.34, abs=1e-12)
    assert region.loc["R", "herfindahl_normalised"] == pytest.approx(0.12, abs=1e-12)
    # Theil T of c(10,10,10,20,50) = 0.2502012: relative Theil against a uniform universe
    region = run_metrics(model_runner, {"R": [10, 10, 10, 20, 50], "REST": [90, 90, 90, 80, 50]}, ks)[
        "mart_region_structure"
    ].set_index("province_code")
    assert region.loc["R", "relative_theil"] == pytest.approx(0.2502012, abs=1e-7)


def test_ka4_goettingen_and_freiburg_specialization_gini(model_runner):
    goettingen = [45, 466, 7874, 1334, 7051, 2481, 2251, 2032, 1739, 7915, 4875, 3936, 7488, 16896, 900]
    germany = [
        248052,
        538768,
        6797172,
        1798954,
        4380223,
        1713157,
        1062982,
        1027486,
        975126,
        2397099,
        2357313,
        1762308,
        1249260,
        4676036,
        1181037,
    ]
    sections = [f"S{n:02d}" for n in range(15)]
    region = run_metrics(
        model_runner, {"GOE": goettingen, "REST": [g - x for g, x in zip(germany, goettingen)]}, sections
    )["mart_region_structure"].set_index("province_code")
    assert region.loc["GOE", "specialization_gini"] == pytest.approx(0.359852, abs=1e-6)
    freiburg = [12121, 3154, 25484, 4798, 3372, 1059, 14837, 42931, 6673]
    germany14 = [7155807, 1696961, 6674652, 925648, 996498, 232167, 3992230, 7127512, 1123004]
    region = run_metrics(
        model_runner, {"FR": freiburg, "REST": [g - x for g, x in zip(germany14, freiburg)]}, sections[:9]
    )["mart_region_structure"].set_index("province_code")
    assert region.loc["FR", "specialization_gini"] == pytest.approx(0.2089009, abs=1e-6)


def test_ka4_german_laender_hoover_and_herfindahl(model_runner):
    gdp = [
        460.69,
        549.19,
        124.16,
        65.29,
        31.59,
        109.27,
        263.44,
        39.87,
        258.53,
        645.59,
        131.95,
        35.03,
        112.66,
        56.22,
        85.61,
        56.81,
    ]
    pop = [
        10879618,
        12843514,
        3520031,
        2484826,
        671489,
        1787408,
        6176172,
        1612362,
        7926599,
        17865516,
        4052803,
        995597,
        4084851,
        2245470,
        2858714,
        2170714,
    ]
    industry = run_metrics(model_runner, with_population(gdp, pop, 0.001), ["gdp", "other"])[
        "mart_industry_concentration"
    ].set_index("industry_code")
    assert industry.loc["gdp", "hoover_localization"] == pytest.approx(0.07358990889, abs=1e-9)
    assert industry.loc["gdp", "herfindahl_regions"] == pytest.approx(0.1251762991, abs=1e-9)


def shift_share(model_runner, t0: dict, t1: dict, industries: list[str]) -> pd.DataFrame:
    frame = pd.concat([metric_input(t0, industries, year=2000), metric_input(t1, industries, year=2001)])
    model_runner.given("intermediate", "int_metric_input", frame)
    model_runner.given("intermediate", "int_series_break", series_breaks())
    return model_runner.build("marts", "mart_shift_share").set_index("province_code")


def test_ka5_dunn_shift_share(model_runner):
    t0 = {"A": [90, 20, 10, 60], "B": [60, 30, 30, 40], "C": [250, 100, 110, 300]}
    t1 = {"A": [100, 40, 10, 55], "B": [85, 55, 40, 35], "C": [255, 115, 85, 390]}
    result = shift_share(model_runner, t0, t1, ["k1", "k2", "k3", "k4"])
    expected = {"A": (25, 27, 1, -3, -2), "B": (55, 24, -1, 32, 31), "C": (85, 114, 0, -29, -29)}
    for region, (growth, ns, im, rs, net) in expected.items():
        row = result.loc[region]
        assert row["change"] == pytest.approx(growth, abs=1e-9)
        assert row["national_share"] == pytest.approx(ns, abs=1e-9)
        assert row["industry_mix"] == pytest.approx(im, abs=1e-9)
        assert row["regional_share"] == pytest.approx(rs, abs=1e-9)
        assert row["net_total_shift"] == pytest.approx(net, abs=1e-9)


def test_ka5_freiburg_shift_share(model_runner):
    fr08 = [13004, 2931, 22492, 4503, 3361, 890, 12448, 34358, 6069]
    fr14 = [12121, 3154, 25484, 4798, 3372, 1059, 14837, 42931, 6673]
    de08 = [7073942, 1572378, 6248666, 841848, 990439, 220171, 3296029, 5905168, 1084708]
    de14 = [7155807, 1696961, 6674652, 925648, 996498, 232167, 3992230, 7127512, 1123004]
    sectors = [f"W{n}" for n in range(9)]
    result = shift_share(
        model_runner,
        {"FR": fr08, "REST": [d - f for d, f in zip(de08, fr08)]},
        {"FR": fr14, "REST": [d - f for d, f in zip(de14, fr14)]},
        sectors,
    ).loc["FR"]
    assert result["change"] == pytest.approx(14373, abs=1e-9)
    assert result["national_share"] == pytest.approx(9887.278, abs=5e-4)
    assert result["industry_mix"] == pytest.approx(2501.612, abs=5e-4)
    assert result["regional_share"] == pytest.approx(1984.110, abs=5e-4)
    assert result["net_total_shift"] == pytest.approx(4485.722, abs=5e-4)


def test_shift_share_compares_members_and_industries_present_in_both_years(model_runner):
    # C has no data in the second year and industry k3 leaves the common support: the reference
    # growth g and g[k] are then taken over A and B, on k1 and k2, in both years.
    t0 = metric_input({"A": [10, 20, 5], "B": [30, 10, 5], "C": [50, 50, 50]}, ["k1", "k2", "k3"], year=2000)
    t1 = metric_input({"A": [12, 30], "B": [33, 9]}, ["k1", "k2"], year=2001).assign(n_members=3, n_members_present=2)
    model_runner.given("intermediate", "int_metric_input", pd.concat([t0, t1]))
    # a detected shift of B in 2001 moves the universe's growth: every row of the pair names it
    model_runner.given(
        "intermediate",
        "int_series_break",
        series_breaks([("shift_B_2001", "B", "known_answer", 2001), ("shift_C_2001", "C", "known_answer", 2001)]),
    )
    result = model_runner.build("marts", "mart_shift_share").set_index("province_code")
    # C is not in both years, so its shift does not reach the pair
    assert result["series_breaks"].tolist() == ["shift_B_2001", "shift_B_2001"]
    assert result["crosses_series_break"].all()
    assert set(result.index) == {"A", "B"}
    x0 = {"A": [10, 20], "B": [30, 10]}
    x1 = {"A": [12, 30], "B": [33, 9]}
    k0, k1 = [40, 30], [45, 39]
    g, gk = sum(k1) / sum(k0) - 1, [b / a - 1 for a, b in zip(k0, k1)]
    for region in ("A", "B"):
        ns = sum(x0[region]) * g
        im = sum(x * (gk_ - g) for x, gk_ in zip(x0[region], gk))
        rs = sum(x * ((y / x - 1) - gk_) for x, y, gk_ in zip(x0[region], x1[region], gk))
        row = result.loc[region]
        assert row["base_value"] == pytest.approx(sum(x0[region]), abs=TOL)
        assert row["change"] == pytest.approx(sum(x1[region]) - sum(x0[region]), abs=TOL)
        assert (row["national_share"], row["industry_mix"], row["regional_share"]) == pytest.approx(
            (ns, im, rs), abs=TOL
        )
        assert row["n_industries"] == 2 and row["n_members_present"] == 2 and not row["is_universe_complete"]
