"""Series breaks and value checks (docs/data-quality.md "Series breaks and value checks"), on small panels
computed by hand and run through the real dbt model SQL."""

from __future__ import annotations

import math

import pandas as pd
import pytest

TOL = 1e-12
DIVISIONS = [f"{13 + i}" for i in range(8)]


def harmonised(panel: dict[str, tuple[list[float], list[float]]], indicator: str = "employment") -> pd.DataFrame:
    """int_cells_harmonised rows: province -> (values in 2000, values in 2001) over DIVISIONS."""
    rows = []
    for province, years in panel.items():
        for year, values in zip((2000, 2001), years):
            for industry, value in zip(DIVISIONS, values):
                rows.append(
                    {
                        "province_code": province,
                        "year": year,
                        "indicator": indicator,
                        "industry_code": industry,
                        "value": float(value),
                        "source_value_ids": [f"{province}:{year}:{industry}"],
                    }
                )
    return pd.DataFrame(rows)


def breaks(rows: list[tuple[str, str, int]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["break_code", "indicator", "first_year"])
    return frame.assign(break_kind="statistical_scope", province_code=None, name_en="", name_zh="", reference="")


# Five provinces, eight divisions at 100 in 2000. In 2001 A, C, D move evenly; B stays; E's six
# divisions jump x1.6 and two grow x1.1 like the nation.
LEVEL_PANEL = {
    "A": ([100] * 8, [110] * 8),
    "B": ([100] * 8, [100] * 8),
    "C": ([100] * 8, [105] * 8),
    "D": ([100] * 8, [110] * 8),
    "E": ([100] * 8, [160] * 6 + [110] * 2),
}


def level_shifts(model_runner, known_breaks):
    model_runner.given("intermediate", "int_cells_harmonised", harmonised(LEVEL_PANEL))
    model_runner.given("reference", "indicator", INDICATOR.assign(indicator="employment"))
    model_runner.given("intermediate", "int_statistical_break", known_breaks)
    model_runner.build("intermediate", "int_division_moves")
    return model_runner.build("intermediate", "int_series_level_shift").set_index("province_code")


def test_level_shift_statistic_known_answer(model_runner):
    shifts = level_shifts(model_runner, breaks([("other_indicator_break", "main_business_revenue", 2001)]))
    # province medians 1.1, 1.0, 1.05, 1.1, 1.6; the national median of them is 1.1
    assert shifts["national_median_ratio"].tolist() == pytest.approx([1.1] * 5, abs=TOL)
    assert shifts.loc["E", "province_median_ratio"] == pytest.approx(1.6, abs=TOL)
    assert shifts.loc["E", "relative_move"] == pytest.approx(1.6 / 1.1, abs=TOL)
    # ln moves 0, ln(1/1.1), ln(1.05/1.1), 0, ln(1.6/1.1): median 0, MAD = 1.4826 * |ln(1.05/1.1)|
    mad = 1.4826 * abs(math.log(1.05 / 1.1))
    assert shifts.loc["E", "robust_z"] == pytest.approx(math.log(1.6 / 1.1) / mad, abs=1e-9)
    assert shifts.loc["B", "robust_z"] == pytest.approx(math.log(1 / 1.1) / mad, abs=1e-9)
    # six of E's eight divisions move beyond x1.1 against the nation's 1.1, two do not
    assert shifts.loc["E", "share_moving_together"] == pytest.approx(6 / 8, abs=TOL)
    assert shifts["is_level_shift"].to_dict() == {"A": False, "B": False, "C": False, "D": False, "E": True}
    # no known break of this indicator in 2001: the shift is unexplained
    assert shifts.loc["E", "explanation"] == "unexplained"
    assert shifts.loc["E", ["base_year", "year", "n_divisions"]].tolist() == [2000, 2001, 8]


def test_a_known_break_labels_the_shift(model_runner):
    shifts = level_shifts(
        model_runner, breaks([("scope_2001", "employment", 2001), ("classification_2001", "employment", 2001)])
    )
    assert shifts.loc["E", "explanation"] == "known_break"
    assert shifts.loc["E", "known_break_codes"] == "classification_2001, scope_2001"
    assert shifts.loc[["A", "B", "C", "D"], "explanation"].isna().all()


INDICATOR = pd.DataFrame(
    [
        {
            "indicator": "x",
            "name_zh": "",
            "name_en": "",
            "target_unit": "u",
            "is_additive": True,
            "plausibility_material_value": 100,
            "note": "",
        }
    ]
)


AGGREGATES = ("manufacturing", "total", "mining", "utilities")


def labelled(series: dict[tuple[str, str], dict[int, float]], codes: dict[str, str] | None = None) -> pd.DataFrame:
    """Cells of the given series; `codes` gives a label's 2011 division code, or an aggregate's code
    (manufacturing for the printed 制造业, total for 合计, mining, utilities; default: division 13)."""
    rows = []
    for (province, label), values in series.items():
        code = (codes or {}).get(label, "13")
        aggregate = code in AGGREGATES
        for year, value in values.items():
            rows.append(
                {
                    "raw_value_id": f"{province}|{label}|{year}",
                    "province_code": province,
                    "year": year,
                    "indicator": "x",
                    "industry_label": label,
                    "label_kind": "aggregate" if aggregate else "division",
                    "aggregate_code": code if aggregate else "",
                    "mapping_code": "" if aggregate else code,
                    "value_flag": "reported",
                    "value_converted": float(value),
                    "target_unit": "u",
                    "source_file": "f.csv",
                    "source_sheet": "s",
                    "source_cell": f"{label}{year}",
                }
            )
    return pd.DataFrame(rows)


def plausibility(model_runner, series, codes: dict[str, str] | None = None) -> pd.DataFrame:
    model_runner.given("reference", "indicator", INDICATOR)
    model_runner.given("intermediate", "int_cells_labelled", labelled(series, codes))
    return model_runner.build("intermediate", "int_cells_plausibility")


def withheld(frame: pd.DataFrame) -> set[tuple[str, str, int]]:
    return {(r.province_code, r.industry_label, r.year) for r in frame.itertuples()}


def test_a_good_value_beside_a_bad_one_is_kept(model_runner):
    # The Tianjin wage case: 2001 is 20x below both neighbours; 2002 differs 60x from 2001 but
    # only 3x from 2000, the nearest value that is not itself a spike.
    result = plausibility(model_runner, {("P", "L"): {2000: 1000, 2001: 50, 2002: 3000}})
    assert withheld(result) == {("P", "L", 2001)}
    # 20x below 2000 and 60x below 2002: "or more" holds for the smaller factor, the one named
    assert result["quarantine_detail"][0] == (
        "value 50.0 u differs from 2000 (1000.0) and 2002 (3000.0) by a factor of 20.0 or more (threshold 10x)"
    )


def test_a_manufacturing_total_that_repeats_the_industry_total_is_withheld(model_runner):
    # Inner Mongolia 2013 in small: 制造业 prints 合计 again (200 = 200) while 采矿业 is 60; in 2012 and
    # 2014 制造业 is below 合计. Q's 2013 has no mining or utilities, so its 制造业 = 合计 is true.
    series = {
        ("P", "合计"): {2012: 180, 2013: 200, 2014: 196},
        ("P", "制造业"): {2012: 102, 2013: 200, 2014: 117},
        ("P", "采矿业"): {2012: 58, 2013: 60, 2014: 56},
        ("Q", "合计"): {2013: 150},
        ("Q", "制造业"): {2013: 150},
    }
    codes = {"合计": "total", "制造业": "manufacturing", "采矿业": "mining"}
    result = plausibility(model_runner, series, codes)
    assert withheld(result) == {("P", "制造业", 2013)}
    (row,) = result.itertuples()
    assert row.quarantine_reason == "manufacturing_repeats_total"
    assert row.quarantine_detail == (
        "value 200.0 u equals the all-industry total (合计, 合计2013) of the same year although mining or "
        "utilities there are positive: the total was filled into the manufacturing column"
    )


def test_a_two_point_series_withholds_only_the_value_off_the_structure(model_runner):
    # P's two values of L differ 20x: 100 in 2000 fits P's structure (L is a tenth of the other
    # division M, as in Q and R), 2000 in 2001 does not. Only 2001 is withheld.
    series = {("P", "L"): {2000: 100, 2001: 2000}}
    for province in ("P", "Q", "R"):
        series[(province, "M")] = {2000: 1000, 2001: 1000}
    for province in ("Q", "R"):
        series[(province, "L")] = {2000: 100, 2001: 100}
    result = plausibility(model_runner, series)
    assert withheld(result) == {("P", "L", 2001)}
    assert "further from its province's structure" in result["quarantine_detail"][0]


def test_a_two_point_series_the_structure_cannot_judge_withholds_both(model_runner):
    # an aggregate has no structure to compare with: both values stay withheld, as before
    frame = labelled({("P", "A"): {2000: 100, 2001: 2000}}).assign(label_kind="aggregate")
    model_runner.given("reference", "indicator", INDICATOR)
    model_runner.given("intermediate", "int_cells_labelled", frame)
    result = model_runner.build("intermediate", "int_cells_plausibility")
    assert withheld(result) == {("P", "A", 2000), ("P", "A", 2001)}


def exceeding_total(model_runner, series, codes) -> pd.DataFrame:
    plausibility(model_runner, series)
    model_runner.given("intermediate", "int_cells_labelled", labelled(series, codes))
    model_runner.build("intermediate", "int_cells_plausibility")
    return model_runner.build("intermediate", "int_cells_exceeding_total")


def test_one_cell_that_alone_exceeds_the_total_is_withheld_as_that_cell(model_runner):
    # L 2001 typed x10 (330 -> 3300) in a growing series: 11x 2000 but 9.2x 2002, below the jump
    # rule; the divisions then sum to 3820 against a total of 1000. Without L 520 (0.52): L is
    # 3300 / sqrt(300 * 360) = 10.0x its series, so L 2001 alone is withheld. (The series runs on
    # past both neighbours: the jump rule withholds an end value 10x from its only neighbour.)
    series = {
        ("P", "L"): {1999: 280, 2000: 300, 2001: 3300, 2002: 360, 2003: 400},
        ("P", "M"): {1999: 480, 2000: 500, 2001: 520, 2002: 540, 2003: 560},
        ("P", "C"): {1999: 1000, 2000: 1000, 2001: 1000, 2002: 1000, 2003: 1000},
    }
    result = exceeding_total(model_runner, series, {"L": "13", "M": "14", "C": "manufacturing"})
    assert withheld(result) == {("P", "L", 2001)}
    assert result["quarantine_reason"][0] == "division_exceeds_total"
    assert result["quarantine_detail"][0] == (
        "L 2001: value 3300.0 u is 10.0x its own series (2000: 300.0 and 2002: 360.0, threshold 4x) and alone "
        "makes the manufacturing divisions sum to 3820.0 against a total of 1000.0 (coverage 3.82; without it "
        "0.52, accepted up to 1.05): only this cell is withheld"
    )


def test_a_total_too_small_withholds_no_cell(model_runner):
    # the total of 2001 is wrong (500): removing L (330) would restore 520 <= 525, but L is in
    # line with its series (330 against 300 and 360), so no cell is withheld and the
    # province-year stays out whole (int_quarantine_province_year)
    series = {
        ("P", "L"): {2000: 300, 2001: 330, 2002: 360},
        ("P", "M"): {2000: 500, 2001: 520, 2002: 540},
        ("P", "C"): {2000: 1000, 2001: 500, 2002: 1000},
    }
    result = exceeding_total(model_runner, series, {"L": "13", "M": "14", "C": "manufacturing"})
    assert result.empty


def test_a_3x_error_is_a_warning_and_revenue_against_employment_diverging_too(model_runner):
    # A series growing 10% a year with one value 3x too high: below the 10x quarantine, above the
    # 2.5x spike warning (121 x 3 = 363 against 110 and 133.1: x2.73).
    series = {("P", "L"): {2000: 100, 2001: 110, 2002: 363, 2003: 133.1}}
    plausibility(model_runner, series)
    model_runner.build("intermediate", "int_cells_exceeding_total")
    model_runner.build("intermediate", "int_cells_quarantine_applied")
    # revenue x1.1 while employment x3.6 in the same division: apart by x3.27
    harmonised_rows = pd.DataFrame(
        [
            {
                "province_code": "P",
                "year": year,
                "indicator": indicator,
                "industry_code": "13",
                "value": value,
                "source_value_ids": [f"{indicator}{year}"],
            }
            for indicator, values in (("main_business_revenue", (1000, 1100)), ("employment", (20000, 72000)))
            for year, value in zip((2000, 2001), values)
        ]
    )
    model_runner.given("intermediate", "int_cells_harmonised", harmonised_rows)
    model_runner.given(
        "reference",
        "indicator",
        pd.concat(
            [
                INDICATOR,
                INDICATOR.assign(indicator="main_business_revenue"),
                INDICATOR.assign(indicator="employment", plausibility_material_value=10000),
            ]
        ),
    )
    model_runner.build("intermediate", "int_division_moves")
    warnings = model_runner.build("intermediate", "int_cells_suspect").set_index("rule")
    spike = warnings.loc["suspect_spike"]
    assert (spike["province_code"], spike["industry_label"], spike["year"], spike["value"]) == ("P", "L", 2002, 363)
    assert "x2.73 above both 2001 (110.0) and 2003 (133.1)" in spike["detail"]
    divergence = warnings.loc["diverges_from_employment"]
    assert (divergence["industry_code"], divergence["year"]) == ("13", 2001)
    assert "apart by x3.27" in divergence["detail"]
    assert sorted(divergence["source_value_ids"]) == [
        "employment2000",
        "employment2001",
        "main_business_revenue2000",
        "main_business_revenue2001",
    ]


def test_a_withheld_value_that_removes_a_division_is_named_on_the_universe_year(model_runner):
    # Universe g = P, Q, R. Q's division 14 is withheld while P and R report it: 14 leaves the
    # common support because of that one value. Division 15 is withheld in Q but R never reports
    # it: it would be out anyway, so it is not the quarantine's reach.
    rows = []
    values = {"P": {"13": 10, "14": 20, "15": 4}, "Q": {"13": 5, "14": None, "15": None}, "R": {"13": 7, "14": 9}}
    for province, divisions in values.items():
        for industry, value in divisions.items():
            rows.append(
                {
                    "province_code": province,
                    "year": 2000,
                    "industry_code": industry,
                    "industry_level": "division",
                    "indicator": "x",
                    "value": value,
                    "value_flag": "quarantined" if value is None else "reported",
                    "source_vintage": "2011",
                    "source_value_ids": [f"{province}{industry}"],
                }
            )
    model_runner.given("intermediate", "int_industry_facts", pd.DataFrame(rows))
    model_runner.given(
        "intermediate",
        "int_manufacturing_coverage",
        pd.DataFrame({"province_code": ["P"], "year": [2000], "indicator": ["x"], "manufacturing_total": [50.0]}),
    )
    model_runner.given(
        "intermediate",
        "int_quarantine_province_year",
        pd.DataFrame(
            {"province_code": pd.Series(dtype=str), "year": pd.Series(dtype="int64"), "indicator": pd.Series(dtype=str)}
        ),
    )
    model_runner.given(
        "intermediate",
        "int_region_group_member",
        pd.DataFrame({"group_code": ["g"] * 3, "province_code": ["P", "Q", "R"]}),
    )
    metric_input = model_runner.build("intermediate", "int_metric_input")
    assert set(metric_input["industry_code"]) == {"13"}
    assert set(metric_input["quarantine_reach"]) == {"division 14 left out: value withheld in Q Q14"}
