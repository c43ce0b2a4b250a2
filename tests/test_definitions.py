"""The asset graph is the interface of the UI: keep it from changing by accident."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import dagster as dg

from orchestration.definitions import defs
from orchestration.ingest.catalogue import Catalogue
from orchestration.publish import published_tables
from orchestration.publish_scope import PUBLISH_OP, PUBLISH_STEP_KEY, PUBLISHED_KEY

SNAPSHOT = Path(__file__).parent / "snapshots" / "asset_graph.txt"


def asset_graph_lines() -> list[str]:
    """Every asset with its group and parents, and every check with its asset: what the UI shows."""
    graph = defs.resolve_asset_graph()
    lines = []
    for key in sorted(graph.get_all_asset_keys(), key=lambda k: k.to_user_string()):
        node = graph.get(key)
        parents = ", ".join(sorted(p.to_user_string() for p in node.parent_keys))
        lines.append(f"asset {key.to_user_string()} [{node.group_name}] <- {parents}")
    for check in sorted(graph.asset_check_keys, key=lambda k: (k.asset_key.to_user_string(), k.name)):
        lines.append(f"check {check.asset_key.to_user_string()} : {check.name}")
    return lines


def test_asset_graph_matches_its_snapshot():
    """A change to the asset graph is a change to the UI: review the diff, then accept it with
    UPDATE_SNAPSHOTS=1 pytest tests/test_definitions.py."""
    lines = asset_graph_lines()
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.parent.mkdir(exist_ok=True)
        SNAPSHOT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    expected = SNAPSHOT.read_text(encoding="utf-8").splitlines()
    assert [line for line in lines if line not in expected] == []
    assert [line for line in expected if line not in lines] == []


def test_the_marts_group_is_what_publish_publishes():
    graph = defs.resolve_asset_graph()
    by_group: dict[str, set[str]] = {}
    for key in graph.get_all_asset_keys():
        by_group.setdefault(graph.get(key).group_name, set()).add(key.path[-1])
    assert by_group["marts"] == set(published_tables())
    # the crosswalk is derived from the concordance on every run, not a hand-kept seed
    assert "int_industry_crosswalk_2002_2011" in by_group["intermediate"]
    assert not any("crosswalk" in name for name in by_group["reference"])


def test_dbt_source_is_the_ingest_asset():
    graph = defs.resolve_asset_graph()
    staging = graph.get(dg.AssetKey(["staging", "stg_wind_edb__cells"]))
    wind_families = [f.key for f in Catalogue.load().families.values() if f.layout == "wind_edb"]
    assert "wind_mbr" in wind_families
    assert staging.parent_keys == {dg.AssetKey(["raw", key]) for key in wind_families}
    step = graph.get(PUBLISH_STEP_KEY)
    assert dg.AssetKey(["marts", "mart_location_quotient"]) in step.parent_keys
    # the published file is what the publish step wrote, never a step of a run itself: no run plans
    # it, so a failed run cannot mark it, or its checks, failed
    published = graph.get(PUBLISHED_KEY)
    assert published.parent_keys == {PUBLISH_STEP_KEY} and not published.is_executable
    assert {key.name for key in graph.asset_check_keys if key.asset_key == PUBLISHED_KEY} == {
        "published_file_is_complete",
        "publication_passed_its_checks",
    }
    refresh = defs.resolve_job_def("refresh_warehouse")
    assert PUBLISH_OP in refresh.graph.node_dict and "published__marts_file" not in refresh.graph.node_dict


def test_refresh_job_and_yearly_schedule_off_by_default():
    job = defs.resolve_job_def("refresh_warehouse")
    assert job is not None
    schedule = defs.resolve_schedule_def("yearly_refresh")
    assert schedule.default_status == dg.DefaultScheduleStatus.STOPPED
    assert schedule.cron_schedule == "0 6 1 12 *"


def test_dbt_tests_are_asset_checks():
    graph = defs.resolve_asset_graph()
    checks = {key.name for key in graph.asset_check_keys}
    assert {"assert_lq_identities_hold", "assert_krugman_identity_holds", "assert_shift_share_sums_to_change"} <= checks
    assert len(checks) >= 40
    # a table's column rules are one check, whose description lists them
    wages = dg.AssetCheckKey(dg.AssetKey(["marts", "fct_average_wage"]), "column_rules_fct_average_wage")
    assert graph.get_check_spec(wages).description == (
        "The table's column rules (key: province_code, year, industry_code; not null: province_code, "
        "industry_code; accepted values: value_flag). Its failing rows name each broken rule."
    )


def test_every_suite_file_is_a_blocking_check_on_its_table():
    from orchestration.checks.suites import all_suites

    graph = defs.resolve_asset_graph()
    checks = {(key.asset_key.to_user_string(), key.name) for key in graph.asset_check_keys}
    suites = all_suites()
    assert {s.name for s in suites} >= {"raw_wind_mbr", "fct_industry_indicator", "mart_location_quotient"}
    for suite in suites:
        assert ("/".join(suite.asset_key), f"gx_{suite.name}") in checks
    specs = [graph.get_check_spec(key) for key in graph.asset_check_keys if key.name.startswith("gx_")]
    assert len(specs) == len(suites) and all(spec.blocking for spec in specs)


LOAD_AND_REPORT = """
import json, os, sys
before = dict(os.environ)
import orchestration.definitions  # noqa: F401  what `dagster dev` and every run do first
after = dict(os.environ)
changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
json.dump(changed, sys.stdout)
"""


def test_loading_the_code_location_writes_nothing_and_changes_no_environment(tmp_path):
    """Loading the definitions only reads: no file appears in the working directory, the warehouse
    directory it names is not created, and no environment variable changes (issue 23)."""
    from orchestration.settings import REPO_ROOT

    cwd = tmp_path / "empty"
    cwd.mkdir()
    warehouse = tmp_path / "not_yet_a_warehouse"
    base = {k: v for k, v in os.environ.items() if k not in ("RAW_DIR", "WAREHOUSE_DIR", "PYTHONPATH")}
    for extra in ({}, {"WAREHOUSE_DIR": str(warehouse), "RAW_DIR": str(REPO_ROOT / "raw")}):
        done = subprocess.run(
            [sys.executable, "-c", LOAD_AND_REPORT],
            cwd=cwd,
            env={**base, **extra, "PYTHONPATH": str(REPO_ROOT)},
            capture_output=True,
            text=True,
            check=True,
        )
        assert json.loads(done.stdout) == [], done.stdout
        assert list(cwd.iterdir()) == []
        assert not warehouse.exists()


def test_the_dbt_docs_open_on_the_projects_overview():
    """`make docs` opens on the project's overview (layers, where each metric lives, how to trace a
    number), not dbt's generic welcome page; every model it names exists."""
    import re

    from orchestration.settings import DBT_PROJECT_DIR

    manifest = json.loads((DBT_PROJECT_DIR / "target" / "manifest.json").read_text(encoding="utf-8"))
    overview = manifest["docs"]["doc.regional_structure.__overview__"]["block_contents"]
    for heading in ("## Layers", "## Where each metric lives", "## How to trace a number"):
        assert heading in overview
    models = {node["name"] for node in manifest["nodes"].values() if node["resource_type"] == "model"}
    named = set(re.findall(r"`((?:mart|int|fct|lineage)_\w+)`", overview))
    assert named and named <= models, named - models
