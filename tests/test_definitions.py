"""The asset graph is the interface of the UI: keep it from changing by accident."""

from __future__ import annotations

import dagster as dg

from orchestration.definitions import defs

EXPECTED_GROUPS = {
    "raw": {"raw/wind_mbr", "raw/employment", "raw/nbs_gdp", "raw/hightech", "raw/io_tables",
            "raw/classification", "raw/wages"},
    "published": {"published/marts_file"},
    "marts": {
        "marts/dim_industry", "marts/dim_province", "marts/dim_region_group", "marts/dim_region_group_member",
        "marts/fct_industry_indicator", "marts/fct_manufacturing_coverage", "marts/fct_quarantine",
        "marts/fct_province_gdp",
        "marts/lineage_source_cell",
        "marts/mart_growth", "marts/mart_intensity_shares", "marts/mart_location_quotient",
        "marts/mart_specialization_bilateral", "marts/mart_specialization_relative",
        "marts/mart_region_structure", "marts/mart_industry_concentration", "marts/mart_shift_share",
        "marts/mart_lq_matrix", "marts/mart_bilateral_matrix",
        "marts/fct_hightech_indicator", "marts/fct_hightech_copy_comparison", "marts/mart_hightech_revenue",
        "marts/mart_hightech_share", "marts/mart_hightech_group", "marts/mart_hightech_growth",
        "marts/mart_hightech_location_quotient",
        "marts/fct_io_sector", "marts/mart_io_manufacturing_coverage", "marts/mart_source_reconciliation",
        "marts/dim_industry_crosswalk", "marts/dim_industry_crosswalk_moved_class", "marts/fct_average_wage",
        "marts/dim_statistical_break", "marts/mart_level_shift", "marts/fct_value_warning",
    },
    "staging": {"staging/stg_wind__mbr", "staging/stg_employment__panel", "staging/stg_nbs__gdp",
                "staging/stg_hightech__region_table", "staging/stg_io__tables",
                "staging/stg_classification__concordance", "staging/stg_employment__wage"},
}


def test_asset_graph_groups_and_keys():
    graph = defs.resolve_asset_graph()
    by_group: dict[str, set[str]] = {}
    for key in graph.get_all_asset_keys():
        by_group.setdefault(graph.get(key).group_name, set()).add(key.to_user_string())
    for group, keys in EXPECTED_GROUPS.items():
        assert by_group[group] == keys, group
    assert {"reference", "intermediate"} <= set(by_group)
    # the crosswalk is derived from the concordance on every run, not a hand-kept seed
    assert "intermediate/int_industry_crosswalk_2002_2011" in by_group["intermediate"]
    assert not any("crosswalk" in key for key in by_group["reference"])


def test_dbt_source_is_the_ingest_asset():
    graph = defs.resolve_asset_graph()
    staging = graph.get(dg.AssetKey(["staging", "stg_wind__mbr"]))
    assert staging.parent_keys == {dg.AssetKey(["raw", "wind_mbr"])}
    published = graph.get(dg.AssetKey(["published", "marts_file"]))
    assert dg.AssetKey(["marts", "mart_location_quotient"]) in published.parent_keys


def test_refresh_job_and_yearly_schedule_off_by_default():
    job = defs.resolve_job_def("refresh_warehouse")
    assert job is not None
    schedule = defs.resolve_schedule_def("yearly_refresh")
    assert schedule.default_status == dg.DefaultScheduleStatus.STOPPED
    assert schedule.cron_schedule == "0 6 1 12 *"


def test_dbt_tests_are_asset_checks():
    graph = defs.resolve_asset_graph()
    checks = {key.name for key in graph.asset_check_keys}
    assert "assert_lq_identities_hold" in checks or any("lq" in name for name in checks)
    assert len(checks) >= 40


def test_every_suite_file_is_a_blocking_check_on_its_table():
    from orchestration.checks.suites import all_suites

    graph = defs.resolve_asset_graph()
    checks = {(key.asset_key.to_user_string(), key.name) for key in graph.asset_check_keys}
    suites = all_suites()
    assert {s.name for s in suites} == {
        "raw_wind_mbr", "raw_employment", "raw_nbs_gdp", "fct_industry_indicator", "fct_manufacturing_coverage", "mart_location_quotient",
        "mart_specialization_relative", "mart_specialization_bilateral", "mart_intensity_shares", "mart_growth",
        "mart_region_structure", "mart_industry_concentration", "mart_shift_share",
        "raw_hightech", "mart_hightech_group", "mart_hightech_revenue", "fct_hightech_copy_comparison",
        "raw_io_tables", "mart_source_reconciliation", "raw_classification", "fct_average_wage",
        "mart_level_shift",
    }
    for suite in suites:
        assert ("/".join(suite.asset_key), f"gx_{suite.name}") in checks
    specs = [graph.get_check_spec(key) for key in graph.asset_check_keys if key.name.startswith("gx_")]
    assert len(specs) == len(suites) and all(spec.blocking for spec in specs)
