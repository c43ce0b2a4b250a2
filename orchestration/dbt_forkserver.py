"""dbt with its imports done before the dbt step asks for it.

A `dbt build` process spends about 1.3 s importing dbt and its adapter before it reads the
project; the refresh pays that in the middle of its critical path, and `make test` once per dbt
build. Started with the run (as the Great Expectations worker is), a fork server imports dbt on
the other core while the raw files are parsed and then waits. The dbt step runs this file as its
dbt executable (the client): the client hands its arguments, environment, working directory and
standard streams to the server, which forks a child that runs dbt's own command line with them and
writes to the client's streams directly. Everything dbt does from there on is what a fresh `dbt`
process does; only the imports were done earlier. If no server is running or it cannot be
reached, the client runs the installed `dbt` itself, with the same result.

The client forwards SIGINT and SIGTERM to dbt (dagster-dbt stops dbt with SIGINT); should the
client die, dbt is interrupted as if the user had pressed Ctrl-C. The server ends when the run
closes its standard input, or the run's process ends. POSIX only: elsewhere the client always
runs `dbt` itself.

Run as `python -P dbt_forkserver.py ARGS...` (the client) and `python -u -P dbt_forkserver.py
--serve ADDRESS` (the server). The file imports nothing of the project, so it runs by its path
whatever the working directory, and `-P` keeps its own folder off `sys.path` (dbt would otherwise
load `orchestration/statistics.py` for the standard library's `statistics`).
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

# Where the run's server listens; read by the client from the environment dagster-dbt passes on.
ADDRESS_VARIABLE = "WAREHOUSE_DBT_FORKSERVER"
# A child still running this long after its client went away is killed.
GRACE_SECONDS = 30

_server: subprocess.Popen | None = None
_address: str | None = None


# --- in the run's process ------------------------------------------------------------------------


def client_command() -> list[str]:
    """The dbt executable and leading arguments the dbt resource runs for `dbt ...`."""
    return [sys.executable, "-P", os.path.abspath(__file__)]


def start() -> None:
    """Starts the server, unless this process has one running, and names it in the environment;
    dbt is imported when the server is warmed (`warm`) or first asked to run dbt."""
    global _server, _address
    if os.name != "posix":
        return
    if _server is None or _server.poll() is not None:
        stop()
        # a short path: a socket's name is bounded (108 bytes on Linux)
        _address = os.path.join(tempfile.mkdtemp(prefix="warehouse-dbt-"), "socket")
        _server = subprocess.Popen(
            [sys.executable, "-u", "-P", os.path.abspath(__file__), "--serve", _address],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    os.environ[ADDRESS_VARIABLE] = _address


def warm() -> None:
    """Asks the run's server to import dbt now. The raw checks call it: while Great Expectations
    validates a raw table in its own worker, the run's process mostly waits and a core is free;
    importing at the run's start instead slowed the parsing of the raw files on a 2-core machine
    as much as it saved (docs/benchmarks.md, "dbt's imports done ahead")."""
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
        _server = None
    if _address is not None:
        shutil.rmtree(os.path.dirname(_address), ignore_errors=True)
        _address = None


# --- the client: what dagster-dbt runs as dbt ----------------------------------------------------


def _installed_dbt() -> str:
    return os.path.join(os.path.dirname(sys.executable), "dbt")


def _run_installed_dbt(arguments: list[str]) -> None:
    dbt = _installed_dbt()
    os.execv(dbt, [dbt, *arguments])


def _connect(address: str) -> socket.socket | None:
    # the server binds its address within a few milliseconds of starting; a refresh asks far later
    for _ in range(20):
        connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            connection.connect(address)
            return connection
        except OSError:
            connection.close()
            time.sleep(0.05)
    return None


def _receive_exactly(connection: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = connection.recv(size - len(data))
        if not chunk:
            raise ConnectionError("the dbt fork server closed the connection")
        data += chunk
    return data


def client(arguments: list[str]) -> int:
    address = os.environ.get(ADDRESS_VARIABLE)
    connection = _connect(address) if address and hasattr(socket, "send_fds") else None
    if connection is None:
        _run_installed_dbt(arguments)
    request = json.dumps({"argv": arguments, "env": dict(os.environ), "cwd": os.getcwd()}).encode()
    try:
        socket.send_fds(connection, [b"r"], [0, 1, 2])
        connection.sendall(struct.pack(">Q", len(request)) + request)
        (pid,) = struct.unpack(">q", _receive_exactly(connection, 8))
    except OSError:
        # the server ended before it started dbt: nothing ran, so run dbt here
        _run_installed_dbt(arguments)

    def forward(signum, _frame):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signum)

    signal.signal(signal.SIGINT, forward)
    signal.signal(signal.SIGTERM, forward)
    try:
        (code,) = struct.unpack(">i", _receive_exactly(connection, 4))
    except OSError:
        print("dbt's fork server ended before dbt reported its exit status.", file=sys.stderr)
        return 1
    return code


# --- the server ----------------------------------------------------------------------------------


def serve(address: str) -> None:
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(address)
    listener.listen(8)  # a client that asks during the imports waits in the backlog
    # the terminal's Ctrl-C reaches the whole process group: dbt itself handles it, the server and
    # the process reporting dbt's exit status to the client keep going until dbt has stopped
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the reporting processes need no reaping
    imported = False
    while True:
        ready, _, _ = select.select([listener, sys.stdin], [], [])
        if sys.stdin in ready and not os.read(sys.stdin.fileno(), 1):
            break  # the run closed stdin or ended
        if not imported:  # asked to warm up, or the first client: import dbt once, before any fork
            _import_dbt()
            imported = True
        if listener in ready:
            connection, _ = listener.accept()
            if os.fork() == 0:
                listener.close()
                signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                _report(connection)
            connection.close()
    listener.close()


def _import_dbt() -> None:
    import dbt.cli.main  # the point of the server

    with contextlib.suppress(ImportError):
        import dbt.adapters.duckdb  # noqa: F401 - the adapter of the refresh's profile


def _report(connection: socket.socket) -> None:
    """In a child of the server: start dbt for one client and send it dbt's pid and exit status."""
    _, fds, _, _ = socket.recv_fds(connection, 1, 3)
    (size,) = struct.unpack(">Q", _receive_exactly(connection, 8))
    request = json.loads(_receive_exactly(connection, size))
    pid = os.fork()
    if pid == 0:
        _run_dbt(connection, request, fds)
    for fd in fds:
        os.close(fd)
    connection.sendall(struct.pack(">q", pid))
    code = _wait(connection, pid)
    with contextlib.suppress(OSError):
        connection.sendall(struct.pack(">i", code))
    os._exit(0)


def _wait(connection: socket.socket, pid: int) -> int:
    """dbt's exit status; if the client goes away first, dbt is interrupted (killed after a grace)."""
    interrupted_at = None
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            code = os.waitstatus_to_exitcode(status)
            return code if code >= 0 else 128 - code  # killed by a signal: as a shell reports it
        if interrupted_at is None:
            ready, _, _ = select.select([connection], [], [], 0.02)
            if ready and not connection.recv(1):
                os.kill(pid, signal.SIGINT)
                interrupted_at = time.monotonic()
        else:
            time.sleep(0.1)
            if time.monotonic() - interrupted_at > GRACE_SECONDS:
                os.kill(pid, signal.SIGKILL)


def _run_dbt(connection: socket.socket, request: dict, fds: list[int]) -> None:
    """In the dbt child: become the client's `dbt` process and exit as dbt exits."""
    import atexit

    connection.close()
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
        os.close(fd)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    sys.argv = ["dbt", *request["argv"]]
    code = 0
    try:
        from dbt.cli.main import cli

        cli()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:
        import traceback

        traceback.print_exc()
        code = 1
    atexit._run_exitfuncs()  # what a process's normal exit runs: dbt's thread pools, log handlers
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(code)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--serve"]:
        serve(sys.argv[2])
    else:
        sys.exit(client(sys.argv[1:]))
