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


def metric_input(matrix: dict[str, list[float]], industries: list[str], universe: str = "ka") -> pd.DataFrame:
    rows = []
    for region, values in matrix.items():
        for industry, value in zip(industries, values):
            rows.append(
                {
                    "universe_code": universe,
                    "year": 2000,
                    "indicator": "known_answer",
                    "province_code": region,
                    "industry_code": industry,
                    "value": float(value),
                    "manufacturing_total": float(sum(values)),
                    "n_members": len(matrix),
                    "n_members_present": len(matrix),
                    "n_industries": len(industries),
                }
            )
    return pd.DataFrame(rows)


def run_metrics(model_runner, matrix, industries):
    model_runner.given("intermediate", "int_metric_input", metric_input(matrix, industries))
    model_runner.build("intermediate", "int_metric_shares")
    return {
        name: model_runner.build("marts", name)
        for name in ("mart_location_quotient", "mart_specialization_relative", "mart_specialization_bilateral")
    }


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
        [1, 0, 0, 0, 0], [0, 0, 0, 1, 0], [0, 1, 0, 1, 1], [0, 1, 1, 0, 1], [0, 1, 1, 0, 0],
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
    germany = [248052, 538768, 6797172, 1798954, 4380223, 1713157, 1062982, 1027486, 975126, 2397099,
               2357313, 1762308, 1249260, 4676036, 1181037]
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
    facts = pd.DataFrame(
        {
            "province_code": ["P"] * 4 + ["Q"] * 2,
            "year": [2010, 2011, 2012, 2013, 2010, 2011],
            "industry_code": ["13"] * 6,
            "indicator": ["x"] * 6,
            "value": [100.0, 110.0, 121.0, None, 0.0, 5.0],
            "source_vintage": ["2002", "2011", "2011", "2011", "2011", "2011"],
        }
    )
    model_runner.given("marts", "fct_industry_indicator", facts)
    growth = model_runner.build("marts", "mart_growth").set_index(["province_code", "base_year", "year"])
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
    coverage = pd.DataFrame({"province_code": ["P"], "year": [2014], "indicator": ["x"], "manufacturing_total": [125.0]})
    model_runner.given("marts", "fct_industry_indicator", facts)
    model_runner.given("reference", "factor_intensity_class", classes)
    model_runner.given("marts", "fct_manufacturing_coverage", coverage)
    shares = model_runner.build("marts", "mart_intensity_shares").set_index("intensity_class")
    assert shares.loc["labour", "share"] == pytest.approx(0.30, abs=TOL)
    assert shares.loc["capital", "share"] == pytest.approx(0.20, abs=TOL)
    assert shares.loc["technology", "share"] == pytest.approx(0.40, abs=TOL)
    assert shares.loc["unclassified", "share"] == pytest.approx(0.10, abs=TOL)
    assert shares["share"].sum() == pytest.approx(1.0, abs=TOL)
    assert shares.loc["labour", "coverage"] == pytest.approx(100 / 125, abs=TOL)
