"""The UI's launch paths through a real webserver and daemon (`dagster dev`), driven by the GraphQL
API the UI itself uses: Materialize all (the implicit asset job with every asset), a single mart,
the refresh job with Launchpad config, and a failed run whose cause is read back through the API."""

from __future__ import annotations

import shutil

import openpyxl
import pytest

from orchestration.settings import REPO_ROOT

from .webserver_client import dagster_dev


@pytest.fixture(scope="module")
def webserver(tmp_path_factory):
    root = tmp_path_factory.mktemp("webserver")
    raw, warehouse = root / "raw", root / "warehouse"
    shutil.copytree(REPO_ROOT / "raw", raw)
    with dagster_dev(raw, warehouse, root / "dagster_home", log=root / "dagster_dev.log") as (server, location, assets):
        yield server, location, assets, raw, warehouse


def test_materialize_all_then_a_single_mart_then_the_launchpad(webserver):
    server, location, assets, raw, warehouse = webserver
    published = warehouse / "marts.duckdb"
    # "Materialize all" in the lineage view: the implicit asset job with every asset
    run = server.launch(location, "__ASSET_JOB", assets=assets)
    assert server.wait(run) == "SUCCESS"
    assert published.exists()
    first = published.read_bytes()

    # one mart from its asset page: rebuilt in the build database, not published
    run = server.launch(location, "__ASSET_JOB", assets=[["marts", "mart_location_quotient"]])
    assert server.wait(run) == "SUCCESS"
    assert published.read_bytes() == first

    # the refresh job from the Launchpad, with its config spelled out
    config = {
        "resources": {"warehouse": {"config": {"raw_dir": str(raw), "warehouse_dir": str(warehouse)}}},
        "ops": {"published__marts_file": {"config": {"allow_changes": False}}},
    }
    run = server.launch(location, "refresh_warehouse", run_config=config)
    assert server.wait(run) == "SUCCESS"
    assert published.read_bytes() != first  # a new publication of the same inputs


def test_a_failed_run_names_the_file_and_cell_through_the_api(webserver):
    server, location, _, raw, warehouse = webserver
    before = (warehouse / "marts.duckdb").read_bytes()
    book = openpyxl.load_workbook(raw / "wind-mbr" / "浙江.xlsx")
    book.active["C1"] = "浙江:主营业务收入:神秘制造业"
    book.save(raw / "wind-mbr" / "浙江.xlsx")
    run = server.launch(location, "refresh_warehouse")
    assert server.wait(run) == "FAILURE"
    failures = server.step_failures(run)
    dbt = next(f for f in failures if f["stepKey"] == "warehouse_dbt_models")
    text = dbt["error"]["message"] + " ".join(c["message"] for c in dbt["error"]["causes"])
    metadata = {e["label"]: e.get("mdStr") or e.get("text") for e in dbt["failureMetadata"]["metadataEntries"]}
    for shown in (text, metadata["failed_dbt_tests"]):
        assert "assert_every_label_is_known" in shown
        assert "神秘制造业" in shown and "wind-mbr/浙江.xlsx" in shown and "header cell C1" in shown
        assert "\x1b[" not in shown  # no terminal colour codes
    assert (warehouse / "marts.duckdb").read_bytes() == before
