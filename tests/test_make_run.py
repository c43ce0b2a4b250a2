"""`make status` on a publication of the samples says it is synthetic. What `make run` prints (a
line per stage, the summary), `make status`'s listing and the published comments are checked on the
Quick start's own `make run` in a clean clone (tests/test_preflight.py, section a2)."""

from __future__ import annotations

import os
import subprocess
import sys

from orchestration.settings import REPO_ROOT


def test_make_status_says_a_publication_from_the_samples_is_synthetic(sample_publication):
    env = {
        **os.environ,
        "RAW_DIR": str(sample_publication.raw_dir),
        "WAREHOUSE_DIR": str(sample_publication.warehouse_dir),
    }
    done = subprocess.run(
        [sys.executable, "-m", "orchestration.cli", "status"], cwd=REPO_ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    # the line after the one naming the raw directory
    assert done.stdout.splitlines()[2] == (
        "  built from the SAMPLE extracts in raw/ (synthetic values, not official statistics)"
    )
