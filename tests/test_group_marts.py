"""Known answers for the group-level marts, the fixed industry sets and division availability,
hand-computed on small cases and run through the real compiled dbt SQL (model_runner).

The compiled models carry the default comparison pair (yrd:jjj:2005:2014), so the cases use those
two group codes and years inside that span.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from orchestration.dbt_registry import dbt_manifest
from orchestration.settings import DBT_PROJECT_DIR
from tests.test_known_answers import series_breaks

TOL = 1e-12


def series(rows: list[tuple[str, str, int, float | None]], derived: set[tuple[str, int]] = frozenset()) -> pd.DataFrame:
    """int_industry_series rows (province, industry, year, value) of indicator x."""
    return pd.DataFrame(
        [
            {
                "province_code": p,
                "year": y,
                "industry_code": k,
                "industry_level": "section" if k == "C" else "division",
                "indicator": "x",
                "value": v,
                "unit": "亿元",
                "value_flag": "reported" if v is not None else "missing",
                "source_vintage": "2011",
                "is_derived_total": (p, y) in derived and k == "C",
            }
            for p, k, y, v in rows
        ]
    )


def members(groups: dict[str, list[str]]) -> pd.DataFrame:
    return pd.DataFrame([{"group_code": g, "province_code": p} for g, ps in groups.items() for p in ps])


@pytest.fixture
def group_case(model_runner):
    # manufacturing totals C of three provinces; Q has none in 2006, P's 2005 total is derived
    model_runner.given(
        "intermediate",
        "int_industry_series",
        series(
            [
                ("P", "C", 2005, 100.0),
                ("Q", "C", 2005, 300.0),
                ("R", "C", 2005, 600.0),
                ("P", "C", 2006, 150.0),
                ("Q", "C", 2006, None),
                ("R", "C", 2006, 700.0),
                ("P", "C", 2007, 121.0),
                ("Q", "C", 2007, 363.0),
                ("R", "C", 2007, 726.0),
            ],
            derived={("P", 2005)},
        ),
    )
    model_runner.given(
        "intermediate", "int_region_group_member", members({"g": ["P", "Q"], "national": ["P", "Q", "R"]})
    )
    model_runner.build("intermediate", "int_group_totals")
    return model_runner


def test_group_totals_shares_of_the_nation_and_missing_members(group_case):
    totals = group_case.build("marts", "mart_group_total").set_index(["group_code", "year"])
    assert totals.loc[("g", 2005), "group_total"] == 400.0
    assert totals.loc[("g", 2005), "national_share"] == pytest.approx(0.4, abs=TOL)
    assert bool(totals.loc[("g", 2005), "is_derived_total"]) is True
    assert bool(totals.loc[("g", 2007), "is_derived_total"]) is False
    # 2006: Q has no value; the sum of P alone is kept, marked, and gives no share
    assert totals.loc[("g", 2006), "group_total"] == 150.0
    assert bool(totals.loc[("g", 2006), "is_complete"]) is False
    assert list(totals.loc[("g", 2006), "members_without_value"]) == ["Q"]
    assert totals.loc[("g", 2006), "n_members_present"] == 1
    assert pd.isna(totals.loc[("g", 2006), "national_share"])
    assert totals.loc[("g", 2006), "null_reason"] == "group_incomplete"
    # the nation is incomplete that year too, for every group
    assert totals.loc[("national", 2006), "null_reason"] == "group_incomplete"


def test_member_shares_sum_to_one_and_are_null_for_an_incomplete_group(group_case):
    shares = group_case.build("marts", "mart_group_member_share").set_index(["group_code", "province_code", "year"])
    assert shares.loc[("g", "P", 2005), "share_of_group"] == pytest.approx(0.25, abs=TOL)
    assert shares.loc[("g", "Q", 2005), "share_of_group"] == pytest.approx(0.75, abs=TOL)
    assert shares.loc[("national", "R", 2007), "share_of_group"] == pytest.approx(726 / 1210, abs=TOL)
    assert pd.isna(shares.loc[("g", "P", 2006), "share_of_group"])
    assert shares.loc[("g", "P", 2006), "null_reason"] == "group_incomplete"


def test_group_growth_uses_complete_totals_and_names_members_breaks(group_case):
    group_case.given(
        "intermediate",
        "int_series_break",
        series_breaks(
            [("known_2006", None, "x", 2006), ("shift_Q_2007", "Q", "x", 2007), ("shift_R_2007", "R", "x", 2007)]
        ),
    )
    group_case.build("intermediate", "int_group_series_break")
    growth = group_case.build("marts", "mart_group_growth").set_index(["group_code", "base_year", "year"])
    # 2005 -> 2007: 400 -> 484 = 1.1², CAGR 10 %
    assert growth.loc[("g", 2005, 2007), "growth_rate"] == pytest.approx(0.21, abs=TOL)
    assert growth.loc[("g", 2005, 2007), "cagr"] == pytest.approx(0.10, abs=TOL)
    assert bool(growth.loc[("g", 2005, 2007), "is_derived_total"]) is True
    # a year missing a member is missing: no growth from P alone
    assert pd.isna(growth.loc[("g", 2005, 2006), "growth_rate"])
    assert growth.loc[("g", 2005, 2006), "null_reason"] == "value_missing"
    assert growth.loc[("g", 2006, 2007), "null_reason"] == "base_missing"
    # known breaks of every province, detected shifts of members only (R is not in g)
    assert growth.loc[("g", 2005, 2007), "series_breaks"] == "known_2006, shift_Q_2007"
    assert growth.loc[("national", 2005, 2007), "series_breaks"] == "known_2006, shift_Q_2007, shift_R_2007"


def fixed_set_facts() -> pd.DataFrame:
    """yrd = P, Q; jjj = R. Q prints no division 14 in 2005; R reports 13-16 every year."""
    values = {
        ("P", 2005): {"13": 10, "14": 30, "16": 10},
        ("Q", 2005): {"13": 30, "16": 10},
        ("R", 2005): {"13": 5, "14": 5, "15": 10, "16": 10},
        ("P", 2006): {"13": 20, "14": 30, "16": 10},
        ("Q", 2006): {"13": 50, "14": 40, "16": 10},
        ("R", 2006): {"13": 10, "14": 10, "15": 10, "16": 10},
    }
    return pd.DataFrame(
        [
            {
                "province_code": p,
                "year": y,
                "industry_code": k,
                "industry_level": "division",
                "indicator": "x",
                "value": float(v),
                "value_flag": "reported",
                "source_vintage": "2011",
                "source_value_ids": [f"{p}{y}{k}"],
            }
            for (p, y), row in values.items()
            for k, v in row.items()
        ]
    )


@pytest.fixture
def fixed_set_case(model_runner):
    model_runner.given("intermediate", "int_industry_facts", fixed_set_facts())
    model_runner.given(
        "intermediate",
        "int_manufacturing_coverage",
        pd.DataFrame({"province_code": ["P"], "year": [2005], "indicator": ["x"], "manufacturing_total": [60.0]}),
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
        members({"yrd": ["P", "Q"], "jjj": ["R"], "yrd+jjj": ["P", "Q", "R"]}),
    )
    model_runner.build("intermediate", "int_metric_input")
    model_runner.build("intermediate", "int_metric_shares")
    return model_runner


def test_fixed_sets_hold_over_the_span_and_across_the_pair(fixed_set_case):
    inputs = fixed_set_case.build("intermediate", "int_metric_input")
    sets = inputs.groupby(["universe_code", "industry_set", "year"])["industry_code"].agg(lambda s: sorted(set(s)))
    # year_common: what every member reports that year
    assert sets[("yrd", "year_common", 2005)] == ["13", "16"]
    assert sets[("yrd", "year_common", 2006)] == ["13", "14", "16"]
    # span: what every member reports in every year of 2005-2014 (Q lacks 14 in 2005)
    assert sets[("yrd", "span_2005_2014", 2006)] == ["13", "16"]
    assert sets[("jjj", "span_2005_2014", 2006)] == ["13", "14", "15", "16"]
    # pair: in both groups' span sets, for yrd, jjj and their union
    for universe in ("yrd", "jjj", "yrd+jjj"):
        assert sets[(universe, "pair_yrd_jjj_2005_2014", 2005)] == ["13", "16"]
        assert sets[(universe, "pair_yrd_jjj_2005_2014", 2006)] == ["13", "16"]


def test_location_quotients_on_each_industry_set(fixed_set_case):
    lq = fixed_set_case.build("marts", "mart_location_quotient_by_set").set_index(
        ["universe_code", "industry_set", "province_code", "industry_code", "year"]
    )["lq"]
    # 2006, year_common {13, 14, 16}: s[P,13] = 20/60, S[13] = 70/160 -> 16/21
    assert lq[("yrd", "year_common", "P", "13", 2006)] == pytest.approx(16 / 21, abs=TOL)
    # 2006, span {13, 16}: s[P,13] = 20/30, S[13] = 70/90 -> 6/7
    assert lq[("yrd", "span_2005_2014", "P", "13", 2006)] == pytest.approx(6 / 7, abs=TOL)
    # the union on the pair set {13, 16}: s[P,13] = 2/3, S[13] = 80/110 -> 11/12
    assert lq[("yrd+jjj", "pair_yrd_jjj_2005_2014", "P", "13", 2006)] == pytest.approx(11 / 12, abs=TOL)
    # a one-member universe has LQ 1 on any set
    assert lq[("jjj", "pair_yrd_jjj_2005_2014", "R", "16", 2006)] == pytest.approx(1.0, abs=TOL)
    # the published mart is year_common only, with the column that says so
    published = fixed_set_case.build("marts", "mart_location_quotient")
    assert set(published["industry_set"]) == {"year_common"}
    assert len(published) == (lq.index.get_level_values("industry_set") == "year_common").sum()


def test_fixed_set_identities_hold_on_every_set(fixed_set_case):
    lq = fixed_set_case.build("marts", "mart_location_quotient_by_set")
    keys = ["universe_code", "industry_set", "year"]
    by_industry = (lq["region_weight"] * lq["lq"]).groupby([lq[k] for k in [*keys, "industry_code"]]).sum()
    by_region = (lq["universe_industry_share"] * lq["lq"]).groupby([lq[k] for k in [*keys, "province_code"]]).sum()
    assert by_industry.sub(1).abs().max() < 1e-12
    assert by_region.sub(1).abs().max() < 1e-12


def test_group_index_means_plain_and_weighted(fixed_set_case):
    for name in ("mart_specialization_relative_by_set", "mart_region_structure_by_set"):
        fixed_set_case.build("marts", name)
    bilateral = fixed_set_case.build("marts", "mart_specialization_bilateral_by_set")
    relative = fixed_set_case.build("marts", "mart_specialization_relative_by_set")
    means = fixed_set_case.build("marts", "mart_group_index_mean").set_index(
        ["universe_code", "industry_set", "year", "index_name"]
    )
    rows = relative[
        (relative.universe_code == "yrd+jjj") & (relative.industry_set == "year_common") & (relative.year == 2006)
    ]
    mean = means.loc[("yrd+jjj", "year_common", 2006, "krugman_vs_rest")]
    assert mean["mean_plain"] == pytest.approx(rows["krugman_vs_rest"].mean(), abs=TOL)
    weighted = (rows["krugman_vs_rest"] * rows["region_weight"]).sum() / rows["region_weight"].sum()
    assert mean["mean_weighted"] == pytest.approx(weighted, abs=TOL)
    assert mean["n_units"] == 3 and mean["index_level"] == "region"
    # pairs i < j, weighted by λ[i]·λ[j]: P-Q, P-R, Q-R
    pairs = bilateral[
        (bilateral.universe_code == "yrd+jjj")
        & (bilateral.industry_set == "year_common")
        & (bilateral.year == 2006)
        & (bilateral.province_code < bilateral.partner_province_code)
    ]
    weight = rows.set_index("province_code")["region_weight"]
    w = pairs["province_code"].map(weight) * pairs["partner_province_code"].map(weight)
    pair_mean = means.loc[("yrd+jjj", "year_common", 2006, "krugman_bilateral")]
    assert pair_mean["n_units"] == 3
    assert pair_mean["mean_plain"] == pytest.approx(pairs["krugman_bilateral"].mean(), abs=TOL)
    assert pair_mean["mean_weighted"] == pytest.approx((pairs["krugman_bilateral"] * w).sum() / w.sum(), abs=TOL)


def _flagged_group_mean(model: str) -> list[str]:
    """The columns of a model whose YAML meta says group_mean: true, read from the manifest here
    (not through the registry the code uses)."""
    node = next(n for n in dbt_manifest()["nodes"].values() if n["resource_type"] == "model" and n["name"] == model)
    return [c for c, spec in node["columns"].items() if spec["config"]["meta"].get("group_mean")]


def test_every_index_flagged_group_mean_in_yaml_gets_its_group_mean(fixed_set_case):
    for name in ("mart_specialization_relative_by_set", "mart_region_structure_by_set"):
        fixed_set_case.build("marts", name)
    fixed_set_case.build("marts", "mart_specialization_bilateral_by_set")
    region = fixed_set_case.build("marts", "mart_specialization_relative_by_set").merge(
        fixed_set_case.build("marts", "mart_region_structure_by_set"),
        on=["universe_code", "industry_set", "province_code", "year", "indicator"],
        suffixes=("", "_structure"),
    )
    means = fixed_set_case.build("marts", "mart_group_index_mean")
    flagged = {
        level: [c for m in models for c in _flagged_group_mean(m)]
        for level, models in {
            "region": ("mart_specialization_relative", "mart_region_structure"),
            "region_pair": ("mart_specialization_bilateral",),
        }.items()
    }
    assert flagged["region"][:2] == ["krugman_vs_universe", "krugman_vs_rest"]
    assert {"herfindahl", "specialization_gini"} <= set(flagged["region"])
    assert flagged["region_pair"] == ["krugman_bilateral", "structural_similarity"]
    # one mean per flagged index, no other, at the level of the mart it comes from
    assert means.groupby("index_level")["index_name"].agg(set).to_dict() == {k: set(v) for k, v in flagged.items()}
    # and it is the mean of that column: yrd+jjj, year_common, 2006 (three members)
    rows = region[(region.universe_code == "yrd+jjj") & (region.industry_set == "year_common") & (region.year == 2006)]
    key = means.set_index(["universe_code", "industry_set", "year", "index_name"])
    for column in flagged["region"]:
        mean = key.loc[("yrd+jjj", "year_common", 2006, column)]
        assert mean["mean_plain"] == pytest.approx(rows[column].mean(), abs=TOL), column
        assert mean["n_units"] == rows[column].notna().sum() == 3, column


def test_flagging_another_column_in_yaml_adds_its_group_mean_without_editing_the_sql(fixed_set_case, tmp_path):
    """The YAML meta is the list: a scratch copy of the project flags one more column of
    mart_specialization_relative (region_total, a stand-in for a new index) and the compiled
    mart_group_index_mean averages it, its SQL file untouched."""
    project = tmp_path / "dbt_project"
    shutil.copytree(DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs"))
    yml = project / "models" / "marts" / "metrics" / "_metrics.yml"
    text = yml.read_text(encoding="utf-8")
    start = text.index("columns: &mart_specialization_relative_columns")
    at = text.index("- {name: region_total, ", start)
    yml.write_text(
        text[:at]
        + "- {config: {meta: {group_mean: true}}, name: region_total, "
        + text[at + len("- {name: region_total, ") :],
        encoding="utf-8",
    )
    (tmp_path / "warehouse").mkdir()
    completed = subprocess.run(
        [
            str(Path(sys.executable).parent / "dbt"),
            "compile",
            "--project-dir",
            str(project),
            "--profiles-dir",
            str(project),
            "--target-path",
            str(tmp_path / "target"),
            "--select",
            "mart_group_index_mean",
            "--quiet",
        ],
        cwd=project,
        env={**os.environ, "WAREHOUSE_DIR": str(tmp_path / "warehouse"), "DBT_USE_COLORS": "false"},
        capture_output=True,
        text=True,
    )
    assert completed.returncode == 0, completed.stdout[-2000:] + completed.stderr[-2000:]
    compiled = next((tmp_path / "target" / "compiled").rglob("mart_group_index_mean.sql")).read_text(encoding="utf-8")
    assert (project / "models" / "marts" / "groups" / "mart_group_index_mean.sql").read_bytes() == (
        DBT_PROJECT_DIR / "models" / "marts" / "groups" / "mart_group_index_mean.sql"
    ).read_bytes()
    fixed_set_case.compiled = {**fixed_set_case.compiled, "mart_group_index_mean": compiled}
    for name in ("mart_specialization_relative_by_set", "mart_region_structure_by_set"):
        fixed_set_case.build("marts", name)
    fixed_set_case.build("marts", "mart_specialization_bilateral_by_set")
    relative = fixed_set_case.build("marts", "mart_specialization_relative_by_set")
    means = fixed_set_case.build("marts", "mart_group_index_mean").set_index(
        ["universe_code", "industry_set", "year", "index_name"]
    )
    rows = relative[(relative.universe_code == "yrd") & (relative.industry_set == "year_common")]
    for year, group in rows.groupby("year"):
        mean = means.loc[("yrd", "year_common", year, "region_total")]
        assert mean["index_level"] == "region"
        assert mean["mean_plain"] == pytest.approx(group["region_total"].mean(), rel=TOL)
        weighted = (group["region_total"] * group["region_weight"]).sum() / group["region_weight"].sum()
        assert mean["mean_weighted"] == pytest.approx(weighted, rel=TOL)
        assert mean["n_units"] == len(group)
    # the other indices are there as before
    assert {"krugman_vs_rest", "krugman_bilateral"} <= set(means.index.get_level_values("index_name"))


def test_division_availability_names_the_blank_cell(fixed_set_case):
    fixed_set_case.given(
        "reference",
        "industry_division",
        pd.DataFrame({"vintage": ["2011"] * 4, "industry_code": ["13", "14", "15", "16"]}),
    )
    availability = fixed_set_case.build("marts", "mart_division_availability").set_index(
        ["universe_code", "province_code", "industry_code", "year"]
    )
    assert availability.loc[("yrd", "P", "13", 2005), "status"] == "in_set"
    assert availability.loc[("yrd", "Q", "14", 2005), "status"] == "not_in_export"
    dropped = availability.loc[("yrd", "P", "14", 2005)]
    assert dropped["status"] == "dropped_by_common_support"
    assert dropped["members_lacking"] == "Q not_in_export"
    assert "Q not_in_export" in dropped["reason"]
    assert availability.loc[("yrd", "P", "14", 2006), "status"] == "in_set"
    # nobody in yrd reports 15: each member's row says the source has none
    assert availability.loc[("yrd", "P", "15", 2006), "status"] == "not_in_export"
    assert availability.loc[("jjj", "R", "15", 2006), "status"] == "in_set"
