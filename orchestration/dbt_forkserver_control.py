"""dbt with its imports done before the dbt step asks for it: the run's side of dbt's fork server
(orchestration/dbt_forkserver.py).

A `dbt build` process spends about 1.3 s importing dbt and its adapter before it reads the
project; a refresh pays that in the middle of its critical path, and `make test` once per dbt
build. The warehouse resource starts a server with the run (as it starts the Great Expectations
worker); the raw tables' checks warm it (`warm`), so it imports dbt while the run's process mostly
waits for the worker and a core is free (importing at the run's start instead slowed the parsing
of the raw files as much as it saved: docs/benchmarks.md, "dbt's imports done ahead"). The dbt
resource runs the server's client as its dbt executable (`client_command`). POSIX only: elsewhere
no server starts and the client runs the installed `dbt`.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile

from . import dbt_forkserver

ADDRESS_VARIABLE = dbt_forkserver.ADDRESS_VARIABLE
_PROGRAM = os.path.abspath(dbt_forkserver.__file__)

_server: subprocess.Popen | None = None
_address: str | None = None


def client_command() -> list[str]:
    """The dbt executable and leading arguments the dbt resource runs for `dbt ...`."""
    return [sys.executable, "-P", _PROGRAM]


def start() -> None:
    """Starts the server, unless this process has one running, and names it in the environment;
    dbt is imported when the server is warmed or first asked to run dbt."""
    global _server, _address
    if os.name != "posix":
        return
    if _server is None or _server.poll() is not None:
        stop()
        # a short path: a socket's name is bounded (108 bytes on Linux)
        _address = os.path.join(tempfile.mkdtemp(prefix="warehouse-dbt-"), "socket")
        _server = subprocess.Popen(
            [sys.executable, "-u", "-P", _PROGRAM, "--serve", _address],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    os.environ[ADDRESS_VARIABLE] = _address


def warm() -> None:
    """Asks the server to import dbt now (the raw checks call it; later calls change nothing)."""
    if _server is not None:
        with contextlib.suppress(OSError):
            _server.stdin.write(b"w")
            _server.stdin.flush()


def stop() -> None:
    """Ends the server; a dbt it started and that still runs is not waited for."""
    global _server, _address
    os.environ.pop(ADDRESS_VARIABLE, None)
    if _server is not None:
        try:
            _server.stdin.close()  # the server's signal to end
            _server.wait(timeout=10)
        except Exception:
            _server.kill()
            _server.wait()
        _server = None
    if _address is not None:
        shutil.rmtree(os.path.dirname(_address), ignore_errors=True)
        _address = None
