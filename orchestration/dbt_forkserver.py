"""dbt's fork server and its client, run by path: `python -P dbt_forkserver.py ARGS...` is the
client dagster-dbt runs as `dbt ARGS...`; `python -u -P dbt_forkserver.py --serve ADDRESS` is the
server a run starts (orchestration/dbt_forkserver_control.py says when and why).

The client hands the server its arguments, environment, working directory and standard streams
over a Unix socket. The server forks a process that reports to the client, which forks dbt: dbt
runs its own command line with them and writes to the client's streams. What the interpreter
reads when it starts (`PYTHON*` variables, the locale) is the server's, which the run's process
started; `-u` stands for dagster-dbt's `PYTHONUNBUFFERED=1`, so dbt's lines reach Dagster as
they are written. SIGINT and SIGTERM sent to the client reach dbt; if the client dies, dbt is
interrupted (killed after GRACE_SECONDS). With no server, or one that cannot be reached before
dbt starts, the client runs the installed `dbt` itself.

Only the standard library is imported here, and `-P` keeps this folder off `sys.path` (dbt would
otherwise find `orchestration/statistics.py` for the standard library's `statistics`, and import
any `dbt_*.py` beside it as a plugin).
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import select
import signal
import socket
import struct
import sys
import time
import traceback
from typing import NoReturn

# Where the run's server listens; the client reads it from the environment dagster-dbt passes on.
ADDRESS_VARIABLE = "WAREHOUSE_DBT_FORKSERVER"
# dbt still running this long after its client went away and was interrupted is killed.
GRACE_SECONDS = 30
INTERRUPTED = 2  # dbt's exit status for an interrupted command


# --- the client ----------------------------------------------------------------------------------


def _run_installed_dbt(arguments: list[str]) -> NoReturn:
    dbt = os.path.join(os.path.dirname(sys.executable), "dbt")
    os.execv(dbt, [dbt, *arguments])


def _connect(address: str) -> socket.socket | None:
    if not os.path.isdir(os.path.dirname(address)):
        return None  # the run that started the server has ended
    for _ in range(20):  # a server binds within milliseconds of starting; a dbt step comes far later
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
    dbt = {"pid": None, "pending": []}

    def forward(signum, _frame):
        if dbt["pid"] is None:
            dbt["pending"].append(signum)  # dbt not started yet: sent once it is
        else:
            with contextlib.suppress(ProcessLookupError):
                os.kill(dbt["pid"], signum)

    # before connecting: an interrupt that comes while the server imports dbt is not lost
    signal.signal(signal.SIGINT, forward)
    signal.signal(signal.SIGTERM, forward)
    address = os.environ.get(ADDRESS_VARIABLE)
    connection = _connect(address) if address and hasattr(socket, "send_fds") else None
    request = json.dumps({"argv": arguments, "env": dict(os.environ), "cwd": os.getcwd()}).encode()
    try:
        if connection is None:
            raise ConnectionError("no dbt fork server")
        socket.send_fds(connection, [b"r"], [0, 1, 2])
        connection.sendall(struct.pack(">Q", len(request)) + request)
        (dbt["pid"],) = struct.unpack(">q", _receive_exactly(connection, 8))
    except OSError:
        # no dbt was started for this request (the server forks dbt only to send its pid)
        if dbt["pending"]:
            return INTERRUPTED
        _run_installed_dbt(arguments)  # exec restores the default signal handlers
    for signum in dbt["pending"]:
        forward(signum, None)
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
    # a terminal's Ctrl-C reaches the whole process group: dbt handles it; the server and the
    # reporting processes keep going until dbt has stopped and its status is sent
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the reporting processes need no reaping
    imported = False
    while True:
        ready, _, _ = select.select([listener, sys.stdin], [], [])
        if sys.stdin in ready and not os.read(sys.stdin.fileno(), 1):
            break  # the run closed stdin, or ended
        if not imported:  # warmed, or the first client: import dbt once, before any fork
            _import_dbt()
            imported = True
        if listener in ready:
            connection, _ = listener.accept()
            if os.fork() == 0:
                try:
                    listener.close()
                    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                    _report(connection)
                finally:
                    os._exit(0)  # never back into the server's loop
            connection.close()
    listener.close()


def _import_dbt() -> None:
    import dbt.cli.main  # the point of the server

    with contextlib.suppress(ImportError):
        import dbt.adapters.duckdb  # noqa: F401 - the adapter of the refresh's profile


def _report(connection: socket.socket) -> None:
    """In a child of the server: start dbt for one client, send it dbt's pid, then dbt's status."""
    _, fds, _, _ = socket.recv_fds(connection, 1, 3)
    (size,) = struct.unpack(">Q", _receive_exactly(connection, 8))
    request = json.loads(_receive_exactly(connection, size))
    # dbt inherits the server's SIGINT ignored: blocked across the fork, an interrupt that comes
    # before dbt installs Python's handler waits for it instead of being lost
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    pid = os.fork()
    if pid == 0:
        _run_dbt(connection, request, fds)
    for fd in fds:
        os.close(fd)
    try:
        connection.sendall(struct.pack(">q", pid))
        client_gone = False
    except OSError:
        client_gone = True
    code = _wait(connection, pid, client_gone)
    with contextlib.suppress(OSError):
        connection.sendall(struct.pack(">i", code))


def _client_gone(connection: socket.socket) -> bool:
    try:
        return not connection.recv(1)  # the client sends nothing more: readable means closed
    except OSError:
        return True


def _wait(connection: socket.socket, pid: int, client_gone: bool) -> int:
    """dbt's exit status; a client gone interrupts dbt, which is killed after a grace period."""
    interrupted_at = None
    try:
        exited = os.pidfd_open(pid)  # readable when dbt exits (Linux)
    except (AttributeError, OSError):
        exited = None
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            code = os.waitstatus_to_exitcode(status)
            return code if code >= 0 else 128 - code  # killed by a signal: as a shell reports it
        if interrupted_at is None and (client_gone or _client_gone_now(connection, exited)):
            os.kill(pid, signal.SIGINT)
            interrupted_at = time.monotonic()
        elif interrupted_at is not None:
            time.sleep(0.1)
            if time.monotonic() - interrupted_at > GRACE_SECONDS:
                os.kill(pid, signal.SIGKILL)


def _client_gone_now(connection: socket.socket, exited: int | None) -> bool:
    watched = [connection] if exited is None else [connection, exited]
    ready, _, _ = select.select(watched, [], [], 0.05 if exited is None else None)
    return connection in ready and _client_gone(connection)


def _run_dbt(connection: socket.socket, request: dict, fds: list[int]) -> NoReturn:
    """In the dbt process: become the client's `dbt` and exit as dbt exits."""
    code = 1
    try:
        connection.close()
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
            os.close(fd)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        time.tzset()
        sys.argv = ["dbt", *request["argv"]]
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})  # on the client's streams now
        from dbt.cli.main import cli

        cli()
        code = 0
    except SystemExit as exc:
        if exc.code is None or isinstance(exc.code, int):
            code = exc.code or 0
        else:  # as the interpreter reports a message given to sys.exit
            print(exc.code, file=sys.stderr)
    except KeyboardInterrupt:  # before dbt's command line, which handles its own, took over
        print("dbt was interrupted before it started.", file=sys.stderr)
        code = INTERRUPTED
    except BaseException:
        traceback.print_exc()
    # A normal exit would unwind through the server's frames; run what the interpreter runs at
    # exit instead (multiprocessing's finalizers release dbt's semaphores), then leave.
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(code)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--serve"]:
        serve(sys.argv[2])
    else:
        sys.exit(client(sys.argv[1:]))
