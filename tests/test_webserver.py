"""The UI's launch paths through a real webserver and daemon (`dagster dev`), driven by the GraphQL
API the UI itself uses: Materialize all (the implicit asset job with every asset), again with
nothing changed, a single mart, and a failed refresh, after which the published asset still shows
the current publication as healthy and the failed run names file, header cell and label; then a
refresh refused at its first step, the file list, for a file gone."""

from __future__ import annotations

import re
import shutil
import signal
import time

import openpyxl
import pytest

from orchestration.publish_scope import PUBLICATION_TAG, PUBLISH_STEP_KEY
from orchestration.settings import REPO_ROOT

from .webserver_client import dagster_dev

PUBLISHED = ["published", "marts_file"]
PUBLISH_STEP = list(PUBLISH_STEP_KEY.path)


@pytest.fixture(scope="module")
def webserver(tmp_path_factory):
    root = tmp_path_factory.mktemp("webserver")
    raw, warehouse = root / "raw", root / "warehouse"
    shutil.copytree(REPO_ROOT / "raw", raw)
    log = root / "dagster_dev.log"
    with dagster_dev(raw, warehouse, root / "dagster_home", log=log) as (server, location, assets):
        yield server, location, assets, raw, warehouse, log
    # stopped by its SIGTERM, as Ctrl-C stops `make ui`, not killed after the stop's timeout
    assert server.process.returncode != -signal.SIGKILL, "dagster dev ignored SIGTERM for 30 s"


def test_start_up_has_no_warnings(webserver):
    *_, log = webserver
    text = log.read_text()  # before any run: what `make ui` prints when it starts
    assert "Found a dagster instance configuration value" not in text
    assert not re.search(r"\w+Warning: |deprecated|superseded", text), text


def test_what_each_launch_path_publishes(webserver):
    server, location, assets, raw, warehouse, _ = webserver
    published = warehouse / "marts.duckdb"
    # "Materialize all" in the lineage view: the implicit asset job with every asset
    first_run = server.launch(location, "__ASSET_JOB", assets=assets)
    assert server.wait(first_run) == "SUCCESS"
    first = published.read_bytes()
    state = server.asset_state(PUBLISHED)
    assert state["run_id"] == first_run
    assert state["metadata"]["published_by_run"] == first_run
    assert state["metadata"]["raw_dir"] == str(raw)
    assert state["metadata"]["checks"].endswith(("warning", "warnings")) and " passed, " in state["metadata"]["checks"]

    assert server.run_tags(first_run)[PUBLICATION_TAG] == f"published: {state['metadata']['version']}"
    assert PUBLISHED not in assets and PUBLISH_STEP in assets  # the published file is not a step

    # again, nothing changed: the run stops at its first step, says so and publishes nothing
    run = server.launch(location, "__ASSET_JOB", assets=assets)
    assert server.wait(run) == "SUCCESS"
    assert published.read_bytes() == first
    assert server.asset_state(PUBLISHED)["run_id"] == first_run
    (stopped,) = [e for e in server.run_events(run) if e["__typename"] == "ObservationEvent"]
    assert stopped["assetKey"]["path"] == ["raw", "file_list"]
    outcome = next(m["text"] for m in stopped["metadataEntries"] if m["label"] == "outcome")
    assert outcome.startswith("Nothing published: nothing changed") and "Nothing was rebuilt;" in outcome
    assert not [e for e in server.run_events(run) if e["__typename"] == "MaterializationEvent"]
    assert server.run_tags(run)[PUBLICATION_TAG] == "nothing: nothing changed"

    # the publish step alone: no failure, no stack trace, one sentence
    run = server.launch(location, "__ASSET_JOB", assets=[PUBLISH_STEP])
    assert server.wait(run) == "SUCCESS" and not server.step_failures(run)
    assert _outcome(server, run).startswith("Not published: publishing needs a run that rebuilds and checks")
    assert published.read_bytes() == first

    # one mart from its asset page: rebuilt in the build database, not published
    run = server.launch(location, "__ASSET_JOB", assets=[["marts", "mart_location_quotient"]])
    assert server.wait(run) == "SUCCESS"
    assert published.read_bytes() == first
    (materialization,) = [e for e in server.run_events(run) if e["__typename"] == "MaterializationEvent"]
    published_note = next(m["text"] for m in materialization["metadataEntries"] if m["label"] == "published")
    assert published_note.startswith("nothing — this run built into the build database only")
    assert server.run_tags(run)[PUBLICATION_TAG] == "nothing: built into the build database only"

    # a refresh of a copy with a renamed header label fails before publishing
    book = openpyxl.load_workbook(raw / "wind-mbr" / "浙江.xlsx")
    book.active["C1"] = "浙江:主营业务收入:神秘制造业"
    book.save(raw / "wind-mbr" / "浙江.xlsx")
    failed = server.launch(location, "refresh_warehouse")
    assert server.wait(failed) == "FAILURE"
    failures = server.step_failures(failed)
    dbt = next(f for f in failures if f["stepKey"] == "warehouse_dbt_models")
    text = dbt["error"]["message"] + " ".join(c["message"] for c in dbt["error"]["causes"])
    metadata = {e["label"]: e.get("mdStr") or e.get("text") for e in dbt["failureMetadata"]["metadataEntries"]}
    for shown in (text, metadata["failed_dbt_tests"]):
        assert "header cell C1 of wind-mbr/浙江.xlsx" in shown and "'神秘制造业'" in shown
        assert "C2" not in shown
        assert "\x1b[" not in shown  # no terminal colour codes
    assert published.read_bytes() == first

    # the published asset still shows the current publication, healthy, at once: the failed run
    # never planned it or its checks
    state = server.asset_state(PUBLISHED)
    assert state["checks"] == {"published_file_is_complete": "SUCCEEDED", "publication_passed_its_checks": "SUCCEEDED"}
    assert state["run_id"] == first_run and state["metadata"]["published_by_run"] == first_run
    assert (state["latest_run"] or {}).get("runId") != failed
    assert state["health"] is None or state["health"]["assetHealth"] != "DEGRADED", state["health"]
    # the failed attempt is the publish step's; the sensor's tag is read at the end (it evaluates
    # every 15 s, and the next run goes on meanwhile)
    assert server.asset_state(PUBLISH_STEP)["latest_run"]["runId"] == failed

    # a source file of the current publication gone: the run stops at its first step, the file
    # list, before any file is parsed, and says what the guard would have said after the build
    (raw / "wind-mbr" / "安徽.xlsx").unlink()
    refused = server.launch(location, "refresh_warehouse")
    assert server.wait(refused) == "FAILURE"
    (failure,) = server.step_failures(refused)
    assert failure["stepKey"] == "raw__file_list"
    text = failure["error"]["message"] + " ".join(c["message"] for c in failure["error"]["causes"])
    assert "Not published, decided from RAW_DIR's file list before any file was parsed:" in text
    assert "1 source file of the current publication is gone from the raw-data directory: wind-mbr/安徽.xlsx." in text
    assert "ops: publish__publication: config: allow_changes: true" in text
    assert server.run_tags(refused)[PUBLICATION_TAG] == "refused: decided from RAW_DIR's file list"
    assert published.read_bytes() == first

    # the failed-run sensor tagged the failed run with what it published
    deadline = time.monotonic() + 120
    while PUBLICATION_TAG not in server.run_tags(failed) and time.monotonic() < deadline:
        time.sleep(1)
    assert server.run_tags(failed)[PUBLICATION_TAG] == (
        "nothing: the run failed before publishing; the published file is unchanged"
    )


def _outcome(server, run: str) -> str:
    (step,) = [
        e
        for e in server.run_events(run)
        if e["__typename"] == "MaterializationEvent" and e["assetKey"]["path"] == PUBLISH_STEP
    ]
    return next(m["text"] for m in step["metadataEntries"] if m["label"] == "outcome")
