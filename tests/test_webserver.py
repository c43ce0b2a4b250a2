"""The UI's launch paths through a real webserver and daemon (`dagster dev`), driven by the GraphQL
API the UI itself uses: Materialize all (the implicit asset job with every asset), a single mart,
the refresh job with Launchpad config, and a failed run whose cause is read back through the API."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import openpyxl
import pytest

from orchestration.settings import REPO_ROOT

DAGSTER = Path(sys.executable).parent / "dagster"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Webserver:
    def __init__(self, port: int):
        self.url = f"http://127.0.0.1:{port}/graphql"

    def query(self, text: str, variables: dict | None = None) -> dict:
        body = json.dumps({"query": text, "variables": variables or {}}).encode()
        request = urllib.request.Request(self.url, data=body, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=60) as response:
            payload = json.loads(response.read())
        assert "errors" not in payload, payload
        return payload["data"]

    def location(self) -> tuple[str, list[list[str]]]:
        data = self.query("""{ workspaceOrError { ... on Workspace { locationEntries { name
            locationOrLoadError { __typename ... on RepositoryLocation { repositories { name
              assetNodes { assetKey { path } } } } ... on PythonError { message } } } } } }""")
        entry = data["workspaceOrError"]["locationEntries"][0]
        location = entry["locationOrLoadError"]
        assert location["__typename"] == "RepositoryLocation", location
        nodes = location["repositories"][0]["assetNodes"]
        return entry["name"], [n["assetKey"]["path"] for n in nodes]

    def launch(self, location: str, job: str, assets: list[list[str]] | None = None, run_config: dict | None = None) -> str:
        selector = {"repositoryLocationName": location, "repositoryName": "__repository__", "jobName": job}
        if assets is not None:
            selector["assetSelection"] = [{"path": path} for path in assets]
        data = self.query("""mutation($params: ExecutionParams!) { launchPipelineExecution(executionParams: $params) {
            __typename ... on LaunchRunSuccess { run { runId } } ... on PythonError { message }
            ... on RunConfigValidationInvalid { errors { message } } ... on InvalidSubsetError { message } } }""",
                          {"params": {"selector": selector, "runConfigData": run_config or {}}})
        result = data["launchPipelineExecution"]
        assert result["__typename"] == "LaunchRunSuccess", result
        return result["run"]["runId"]

    def wait(self, run_id: str, timeout: float = 420) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            status = self.query("query($id: ID!) { runOrError(runId: $id) { ... on Run { status } } }",
                                {"id": run_id})["runOrError"]["status"]
            if status in ("SUCCESS", "FAILURE", "CANCELED"):
                return status
            time.sleep(1)
        raise AssertionError(f"run {run_id} did not finish in {timeout} s")

    def step_failures(self, run_id: str) -> list[dict]:
        data = self.query("""query($id: ID!) { logsForRun(runId: $id, limit: 5000) { ... on EventConnection { events {
            __typename ... on ExecutionStepFailureEvent { stepKey error { message causes { message } }
              failureMetadata { metadataEntries { label ... on MarkdownMetadataEntry { mdStr }
                ... on TextMetadataEntry { text } } } } } } } }""", {"id": run_id})
        return [e for e in data["logsForRun"]["events"] if e["__typename"] == "ExecutionStepFailureEvent"]


@pytest.fixture(scope="module")
def webserver(tmp_path_factory):
    root = tmp_path_factory.mktemp("webserver")
    raw, warehouse, home = root / "raw", root / "warehouse", root / "dagster_home"
    shutil.copytree(REPO_ROOT / "raw", raw)
    home.mkdir()
    shutil.copy(REPO_ROOT / "dagster.yaml", home / "dagster.yaml")
    port = free_port()
    env = {**os.environ, "RAW_DIR": str(raw), "WAREHOUSE_DIR": str(warehouse), "DAGSTER_HOME": str(home),
           "PATH": f"{DAGSTER.parent}{os.pathsep}{os.environ['PATH']}"}
    log = open(root / "dagster_dev.log", "w")
    process = subprocess.Popen([str(DAGSTER), "dev", "-m", "orchestration.definitions", "-h", "127.0.0.1",
                                "-p", str(port)], cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                               start_new_session=True)
    server = Webserver(port)
    deadline = time.monotonic() + 180
    while True:
        try:
            location, assets = server.location()
            break
        except Exception:
            if process.poll() is not None or time.monotonic() > deadline:
                log.flush()
                raise AssertionError((root / "dagster_dev.log").read_text()[-3000:]) from None
            time.sleep(1)
    yield server, location, assets, raw, warehouse
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
    log.close()


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
    config = {"resources": {"warehouse": {"config": {"raw_dir": str(raw), "warehouse_dir": str(warehouse)}}},
              "ops": {"published__marts_file": {"config": {"allow_changes": False}}}}
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
        assert "神秘制造业" in shown and "wind-mbr/浙江.xlsx" in shown and "C2" in shown
        assert "\x1b[" not in shown  # no terminal colour codes
    assert (warehouse / "marts.duckdb").read_bytes() == before
