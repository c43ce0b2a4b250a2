"""Great Expectations in a second process, started when a run starts.

Importing Great Expectations takes about 4 s (it pulls in scipy and altair). Started with the run,
a worker process (`python -m orchestration.checks.gx_worker`) imports it on the second core while
the first parses the raw files, so the first check does not wait for it. A check sends the worker
its suite's name and only the columns the suite reads, and gets the results back, over the
worker's stdin and stdout. If the worker cannot be had, validation runs in the step's own
process, with the same result.
"""

from __future__ import annotations

import os
import pickle
import struct
import subprocess
import sys
import threading

import pandas as pd

_worker: subprocess.Popen | None = None
# Whether the worker has been sent a suite: a run that ends before its first check (refused by
# the file list, nothing changed, a failed ingest) ends the worker instead of waiting the
# remaining seconds of its import for it to read the end of its input.
_asked = False
_lock = threading.Lock()


def _send(stream, payload) -> None:
    data = pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(struct.pack("<Q", len(data)) + data)
    stream.flush()


def _receive(stream):
    header = stream.read(8)
    if len(header) < 8:
        raise EOFError("the Great Expectations worker ended")
    (size,) = struct.unpack("<Q", header)
    return pickle.loads(stream.read(size))


def start() -> None:
    global _worker, _asked
    if _worker is None:
        _asked = False
        env = {**os.environ, "GX_ANALYTICS_ENABLED": "false"}
        _worker = subprocess.Popen(
            [sys.executable, "-m", "orchestration.checks.gx_worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
        )


def stop() -> None:
    global _worker
    if _worker is not None:
        try:
            if not _asked:
                _worker.terminate()
            _worker.stdin.close()
            _worker.wait(timeout=10)
        except Exception:
            _worker.kill()
        _worker = None


def validate(suite, frame: pd.DataFrame, parameters: dict) -> list[dict]:
    from .suites import validate as validate_here

    global _asked
    with _lock:
        if _worker is not None:
            try:
                _asked = True
                _send(_worker.stdin, (suite.name, frame, parameters))
                kind, payload = _receive(_worker.stdout)
                if kind == "results":
                    return payload
            except Exception:  # a broken worker must not change the outcome: validate here instead
                stop()
    return validate_here(suite, frame, parameters)


def _serve() -> None:
    from .suites import _gx_datasource, suite_named, validate

    _gx_datasource()  # the slow import, done before the first request arrives
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    while True:
        try:
            name, frame, parameters = _receive(stdin)
        except EOFError:
            return
        try:
            _send(stdout, ("results", validate(suite_named(name), frame, parameters)))
        except Exception as exc:  # the caller validates in its own process and reports the error there
            _send(stdout, ("error", repr(exc)))


if __name__ == "__main__":
    _serve()
