"""A real `dagster dev` (webserver, daemon, code server) on a free loopback port, and a client for
the GraphQL API the UI uses. Shared by the webserver tests, `make ui-check` and `make bench`."""

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
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from orchestration.settings import REPO_ROOT

DAGSTER = Path(sys.executable).parent / "dagster"
# the instance settings `make ui` copies into DAGSTER_HOME
INSTANCE_YAML = REPO_ROOT / "orchestration" / "dagster_instance.yaml"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Webserver:
    def __init__(self, port: int):
        self.base = f"http://127.0.0.1:{port}"
        self.url = f"{self.base}/graphql"
        # the `dagster dev` serving it, when dagster_dev started one: its exit status once stopped
        self.process: subprocess.Popen | None = None

    def query(self, text: str, variables: dict | None = None) -> dict:
        body = json.dumps({"query": text, "variables": variables or {}}).encode()
        request = urllib.request.Request(self.url, data=body, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=60) as response:
            payload = json.loads(response.read())
        assert "errors" not in payload, payload
        return payload["data"]

    def location(self) -> tuple[str, list[list[str]]]:
        """The code location's name and the assets "Materialize all" launches (the executable ones)."""
        data = self.query("""{ workspaceOrError { ... on Workspace { locationEntries { name
            locationOrLoadError { __typename ... on RepositoryLocation { repositories { name
              assetNodes { assetKey { path } isExecutable } } } ... on PythonError { message } } } } } }""")
        entry = data["workspaceOrError"]["locationEntries"][0]
        location = entry["locationOrLoadError"]
        assert location["__typename"] == "RepositoryLocation", location
        nodes = location["repositories"][0]["assetNodes"]
        return entry["name"], [n["assetKey"]["path"] for n in nodes if n["isExecutable"]]

    def launch(
        self, location: str, job: str, assets: list[list[str]] | None = None, run_config: dict | None = None
    ) -> str:
        selector = {"repositoryLocationName": location, "repositoryName": "__repository__", "jobName": job}
        if assets is not None:
            selector["assetSelection"] = [{"path": path} for path in assets]
        data = self.query(
            """mutation($params: ExecutionParams!) { launchPipelineExecution(executionParams: $params) {
            __typename ... on LaunchRunSuccess { run { runId } } ... on PythonError { message }
            ... on RunConfigValidationInvalid { errors { message } } ... on InvalidSubsetError { message } } }""",
            {"params": {"selector": selector, "runConfigData": run_config or {}}},
        )
        result = data["launchPipelineExecution"]
        assert result["__typename"] == "LaunchRunSuccess", result
        return result["run"]["runId"]

    def wait(self, run_id: str, timeout: float = 420) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            status = self.query("query($id: ID!) { runOrError(runId: $id) { ... on Run { status } } }", {"id": run_id})[
                "runOrError"
            ]["status"]
            if status in ("SUCCESS", "FAILURE", "CANCELED"):
                return status
            time.sleep(1)
        raise AssertionError(f"run {run_id} did not finish in {timeout} s")

    def step_failures(self, run_id: str) -> list[dict]:
        data = self.query(
            """query($id: ID!) { logsForRun(runId: $id, limit: 5000) { ... on EventConnection { events {
            __typename ... on ExecutionStepFailureEvent { stepKey error { message causes { message } }
              failureMetadata { metadataEntries { label ... on MarkdownMetadataEntry { mdStr }
                ... on TextMetadataEntry { text } } } } } } } }""",
            {"id": run_id},
        )
        return [e for e in data["logsForRun"]["events"] if e["__typename"] == "ExecutionStepFailureEvent"]

    def run_events(self, run_id: str) -> list[dict]:
        """The run's materialization and observation events with their text metadata, page by page
        (a refresh logs thousands of events)."""
        events, cursor = [], None
        while True:
            data = self.query(
                """query($id: ID!, $cursor: String) { logsForRun(runId: $id, afterCursor: $cursor, limit: 2000) {
                ... on EventConnection { cursor hasMore events {
                __typename ... on MaterializationEvent { assetKey { path } metadataEntries { label
                  ... on TextMetadataEntry { text } } }
                ... on ObservationEvent { assetKey { path } metadataEntries { label
                  ... on TextMetadataEntry { text } } } } } } }""",
                {"id": run_id, "cursor": cursor},
            )["logsForRun"]
            events += data["events"]
            if not data["hasMore"]:
                return events
            cursor = data["cursor"]

    def run_tags(self, run_id: str) -> dict[str, str]:
        data = self.query(
            "query($id: ID!) { runOrError(runId: $id) { ... on Run { tags { key value } } } }", {"id": run_id}
        )
        return {t["key"]: t["value"] for t in data["runOrError"]["tags"]}

    def asset_state(self, path: list[str]) -> dict:
        """What the Catalog shows of an asset: its latest materialization (run and
        metadata), each check's latest evaluation, its health and the latest run that planned it
        (the run behind a "Failed in <run>" badge)."""
        data = self.query(
            """query($key: AssetKeyInput!) {
            assetOrError(assetKey: $key) { ... on Asset {
              assetHealth { assetHealth materializationStatus assetChecksStatus }
              assetMaterializations(limit: 1) { runId metadataEntries { label
                ... on TextMetadataEntry { text } ... on PathMetadataEntry { path } } } } }
            assetsLatestInfo(assetKeys: [$key]) { latestRun { runId status } }
            assetNodeOrError(assetKey: $key) { ... on AssetNode {
              assetChecksOrError { ... on AssetChecks { checks { name
                executionForLatestMaterialization { status runId } } } } } } }""",
            {"key": {"path": path}},
        )
        asset, node = data["assetOrError"], data["assetNodeOrError"]
        latest = (asset.get("assetMaterializations") or [None])[0]
        return {
            "run_id": latest and latest["runId"],
            "metadata": {
                e["label"]: e.get("text") or e.get("path") for e in (latest["metadataEntries"] if latest else [])
            },
            "checks": {
                c["name"]: (c["executionForLatestMaterialization"] or {}).get("status")
                for c in node["assetChecksOrError"]["checks"]
            },
            "health": asset.get("assetHealth"),
            "latest_run": (data["assetsLatestInfo"] or [{}])[0].get("latestRun"),
        }


def _interrupts_as_in_a_terminal() -> None:
    """Ctrl-C and SIGTERM stop `dagster dev` as they do `make ui` in a terminal. A command started
    in the background by a shell without job control (`make test &`, some CI runners) inherits
    SIGINT ignored; `dagster dev` gives SIGTERM SIGINT's handler, so it would ignore both and be
    killed only after the stop's 30 s timeout."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


@contextmanager
def dagster_dev(
    raw: Path, warehouse: Path, home: Path, log: Path | None = None, repo: Path = REPO_ROOT
) -> Iterator[tuple[Webserver, str, list]]:
    """`dagster dev` over the given directories, as `make ui` starts it; yields the client, the code
    location's name and every asset key once the location has loaded.

    `repo` is the checkout whose code and instance settings run (`make bench BASE=...` starts
    another commit's worktree this way); the client speaks Dagster's GraphQL API, which depends on
    the installed Dagster, not on the commit."""
    home.mkdir(parents=True, exist_ok=True)
    instance_yaml = repo / "orchestration" / "dagster_instance.yaml"
    if instance_yaml.exists():  # commits before it ran on Dagster's default instance
        shutil.copy(instance_yaml, home / "dagster.yaml")
    port = free_port()
    env = {
        **os.environ,
        "RAW_DIR": str(raw),
        "WAREHOUSE_DIR": str(warehouse),
        "DAGSTER_HOME": str(home),
        # every process dagster dev starts (webserver, daemon, code server, run workers) imports
        # the checkout's own code, not whatever the caller's path or the editable install names
        "PYTHONPATH": str(repo),
        "PATH": f"{DAGSTER.parent}{os.pathsep}{os.environ['PATH']}",
        # as the Makefile's `ui` target: Dagster 1.13's notice that `dg dev` supersedes `dagster dev`
        "PYTHONWARNINGS": "ignore:Function `dev_command` is superseded",
    }
    output = open(log, "w") if log else subprocess.DEVNULL  # noqa: SIM115 - closed when the server stops
    process = subprocess.Popen(
        [str(DAGSTER), "dev", "-m", "orchestration.definitions", "-h", "127.0.0.1", "-p", str(port)],
        cwd=repo,
        env=env,
        stdout=output,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        preexec_fn=_interrupts_as_in_a_terminal,
    )
    try:
        server = Webserver(port)
        server.process = process
        deadline = time.monotonic() + 180
        while True:
            try:
                location, assets = server.location()
                break
            except Exception:
                if process.poll() is not None or time.monotonic() > deadline:
                    tail = log.read_text()[-3000:] if log else ""
                    raise AssertionError(f"dagster dev did not load the code location\n{tail}") from None
                time.sleep(1)
        yield server, location, assets
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        if log:
            output.close()
