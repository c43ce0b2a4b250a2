"""The Great Expectations worker a run starts: a run that ends before its first check does not wait
for the worker's import to finish; a worker that validated ends when its input ends."""

import signal

import pandas as pd

from orchestration.checks import gx_worker
from orchestration.checks.suites import suite_named

from .conftest import _stop_gx_worker


def test_a_worker_never_asked_is_ended_without_waiting_for_its_import():
    # the process's own worker, if a refresh left one (tests/conftest.py keeps it between refreshes)
    _stop_gx_worker()
    gx_worker.start()
    worker = gx_worker._worker
    _stop_gx_worker()
    # terminated while importing, not ended by reading the end of its input after the import
    assert worker.returncode == -signal.SIGTERM


def test_a_worker_that_validated_ends_on_its_own_with_the_results_it_sent():
    _stop_gx_worker()
    gx_worker.start()
    worker = gx_worker._worker
    frame = pd.DataFrame({"weight": [0.25, 1.5]})
    results = gx_worker.validate(suite_named("dim_industry_crosswalk"), frame, {})
    assert gx_worker._worker is worker  # validated by the worker, not in this process after it broke
    _stop_gx_worker()
    assert worker.returncode == 0
    (result,) = results
    assert not result["success"] and result["severity"] == "error" and result["unexpected_count"] == 1
