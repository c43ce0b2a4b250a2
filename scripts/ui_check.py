"""Scripted browser check of the Dagster UI, as a user clicks it (`make ui-check`).

Starts `dagster dev` on a free loopback port over a scratch copy of the samples, opens the global
asset lineage view in headless Chromium (Debian's package, driven by Playwright with
executable_path; `playwright install` cannot download here), clicks "Materialize all" and watches
the run on its page, opened as the run starts and never reloaded, until the page counts every step
as succeeded; opens the comparison report's asset page, clicks "Materialize all" again (nothing
changed: the run stops at its first step), then breaks one label, launches the refresh job and
opens the failed run, takes a file away and opens the run refused at the file list, then the
Catalog and the published asset after it, and a single mart's run. Screenshots go to
warehouse/ui-check/: the lineage, the run in progress and succeeded, the report asset, the
nothing-changed run, the failed run's cause, the refused run, the Catalog and the published asset
(metadata, checks) after the failed run, the single-asset run.
Exits non-zero if a step does not behave as described.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from tests.webserver_client import Webserver, dagster_dev  # noqa: E402

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# Without these, Chromium's background connections are refused by this machine's closed network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def main() -> int:
    from playwright.sync_api import sync_playwright

    shots = REPO_ROOT / "warehouse" / "ui-check"
    shots.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="ui_check_") as scratch:
        raw, warehouse, home = Path(scratch) / "raw", Path(scratch) / "warehouse", Path(scratch) / "home"
        shutil.copytree(REPO_ROOT / "raw", raw)
        with dagster_dev(raw, warehouse, home) as (server, location, _):
            base = server.base
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
                page = browser.new_page(viewport={"width": 1600, "height": 1000})
                page.goto(f"{base}/asset-groups", wait_until="networkidle")
                button = page.get_by_role("button", name="Materialize all")
                button.wait_for(timeout=60_000)
                page.screenshot(path=str(shots / "1-lineage.png"))
                button.click()
                if not _watch_run(page, server, base, shots):
                    return 1

                # the comparison report made after the publication: its page shows the headline numbers
                page.goto(f"{base}/assets/published/comparison_reports", wait_until="networkidle")
                page.get_by_text("yrd vs jjj, 2005–2014", exact=False).first.wait_for(timeout=60_000)
                page.screenshot(path=str(shots / "2b-comparison-report-asset.png"), full_page=True)

                # "Materialize all" again, nothing changed: the run stops at its first step and says why
                previous = _newest_run(server, time.monotonic() + 5)
                page.goto(f"{base}/asset-groups", wait_until="networkidle")
                button = page.get_by_role("button", name="Materialize all")
                button.wait_for(timeout=60_000)
                button.click()
                deadline = time.monotonic() + 60
                again = _newest_run(server, deadline)
                while again == previous and time.monotonic() < deadline:
                    time.sleep(0.5)
                    again = _newest_run(server, deadline)
                status = server.wait(again)
                print(f"Materialize all, nothing changed: run {again} {status}")
                page.goto(f"{base}/runs/{again}", wait_until="networkidle")
                # the run's log ends with the skipped steps; its first step's line says why
                page.get_by_placeholder("Filter").first.fill("nothing changed")
                _wait_for_text(page, "Nothing published: nothing changed")
                page.screenshot(path=str(shots / "2c-nothing-changed-run.png"), full_page=True)
                if again == previous or status != "SUCCESS":
                    return 1

                import openpyxl

                book = openpyxl.load_workbook(raw / "wind-mbr" / "浙江.xlsx")
                book.active["C1"] = "浙江:主营业务收入:神秘制造业"
                book.save(raw / "wind-mbr" / "浙江.xlsx")
                failed = server.launch(location, "refresh_warehouse")
                print(f"broken label: run {failed} {server.wait(failed)}")
                page.goto(f"{base}/runs/{failed}", wait_until="networkidle")
                cause = page.get_by_text("神秘制造业", exact=False).first
                cause.wait_for(timeout=60_000)
                page.screenshot(path=str(shots / "3-failed-run-cause.png"), full_page=True)

                # a file of the publication gone: refused at the run's first step, before any parsing
                (raw / "wind-mbr" / "安徽.xlsx").rename(Path(scratch) / "安徽.xlsx")
                refused = server.launch(location, "refresh_warehouse")
                status = server.wait(refused)
                print(f"a file gone: run {refused} {status}")
                page.goto(f"{base}/runs/{refused}", wait_until="networkidle")
                _wait_for_text(page, "decided from RAW_DIR's file list")
                page.screenshot(path=str(shots / "3b-refused-at-the-file-list.png"), full_page=True)
                (Path(scratch) / "安徽.xlsx").rename(raw / "wind-mbr" / "安徽.xlsx")
                if status != "FAILURE":
                    return 1

                # after the failed run: the Catalog, and the published asset still showing the current
                # publication, healthy (no run plans it or its checks)
                state = server.asset_state(["published", "marts_file"])
                print(f"published file after the failed run: checks {state['checks']}, health {state['health']}")
                page.goto(f"{base}/assets", wait_until="networkidle")
                page.wait_for_timeout(3000)
                page.screenshot(path=str(shots / "4-catalog-after-failed-run.png"), full_page=True)
                page.goto(f"{base}/assets/published/marts_file", wait_until="networkidle")
                _wait_for_text(page, "published_by_run")
                page.screenshot(path=str(shots / "5-published-asset-after-failed-run.png"), full_page=True)
                page.goto(f"{base}/assets/published/marts_file?view=checks", wait_until="networkidle")
                page.wait_for_timeout(3000)
                page.screenshot(path=str(shots / "5b-published-checks-after-failed-run.png"), full_page=True)

                # one mart from its asset page: the run says it published nothing
                single = server.launch(location, "__ASSET_JOB", assets=[["marts", "mart_location_quotient"]])
                print(f"single mart: run {single} {server.wait(single)}")
                page.goto(f"{base}/runs/{single}", wait_until="networkidle")
                _wait_for_text(page, "build database only")
                page.screenshot(path=str(shots / "6-single-asset-run.png"), full_page=True)

                # the publish step alone: no failure, its outcome says why nothing was published
                alone = server.launch(location, "__ASSET_JOB", assets=[["publish", "publication"]])
                print(f"publish step alone: run {alone} {server.wait(alone)}")
                page.goto(f"{base}/runs/{alone}", wait_until="networkidle")
                _wait_for_text(page, "Not published")
                page.screenshot(path=str(shots / "7-publish-step-alone-run.png"), full_page=True)
                page.goto(f"{base}/runs", wait_until="networkidle")
                _wait_for_text(page, "warehouse/publication")
                page.screenshot(path=str(shots / "8-runs-with-publication-tags.png"), full_page=True)
                browser.close()
            print(f"screenshots in {shots}")
            return 0


def _watch_run(page, server: Webserver, base: str, shots: Path) -> bool:
    """Watch the run "Materialize all" launched on its own page, opened as soon as the run exists
    and never reloaded, as a user watches it: the webserver streams the run's events to the page
    as the run writes them, so the page must come to count every step of the run as succeeded."""
    # the UI links the launched run in a toast; the run is also the newest one
    run_id = _newest_run(server, deadline=time.monotonic() + 60)
    page.goto(f"{base}/runs/{run_id}", wait_until="domcontentloaded")
    page.wait_for_timeout(10_000)
    page.screenshot(path=str(shots / "2a-run-in-progress.png"))
    status = server.wait(run_id)
    print(f"Materialize all: run {run_id} {status}")
    if status != "SUCCESS":
        return False
    # the steps panel counts the steps from the events the page received (its log list shows only
    # the rows in view)
    stats = server.query(
        "query($id: ID!) { runOrError(runId: $id) { ... on Run { stepStats { status } } } }", {"id": run_id}
    )["runOrError"]["stepStats"]
    succeeded = sum(step["status"] == "SUCCESS" for step in stats)
    try:
        page.get_by_text(f"Succeeded ({succeeded})", exact=True).first.wait_for(timeout=30_000)
    except Exception:
        page.screenshot(path=str(shots / "2-run-not-updated.png"))
        print(f"NOT SHOWN without a reload on {page.url}: Succeeded ({succeeded})")
        return False
    page.screenshot(path=str(shots / "2-run-success.png"))
    return True


def _wait_for_text(page, text: str) -> None:
    """Wait for a text to show; say so (and take the screenshot anyway) when it does not."""
    try:
        page.get_by_text(text, exact=False).first.wait_for(timeout=30_000)
    except Exception:
        print(f"NOT SHOWN on {page.url}: {text!r}")


def _newest_run(server: Webserver, deadline: float) -> str:
    while time.monotonic() < deadline:
        runs = server.query("{ runsOrError(limit: 1) { ... on Runs { results { runId } } } }")["runsOrError"]["results"]
        if runs:
            return runs[0]["runId"]
        time.sleep(0.5)
    raise SystemExit("no run started after clicking Materialize all")


if __name__ == "__main__":
    raise SystemExit(main())
