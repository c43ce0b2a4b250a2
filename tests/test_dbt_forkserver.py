"""dbt through a fork server (orchestration/dbt_forkserver.py): the server imports dbt when warmed;
dbt run through it has the caller's environment (the server's own replaced), working directory,
output and exit status, as the installed dbt; Ctrl-C reaches dbt; a client that dies, even before
dbt has started, takes its dbt with it; without a server the client runs the installed dbt."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import struct
import subprocess
import sys
import time
from pathlib import Path

import pytest

from orchestration import dbt_forkserver
from orchestration.dbt_parse_state import reuse_for
from orchestration.settings import DBT_PROJECT_DIR

INSTALLED_DBT = Path(sys.executable).parent / "dbt"
PROGRAM = [sys.executable, "-P", dbt_forkserver.__file__]
SERVER_ONLY = "/the/servers/own/profiles/dir"  # in the server's environment, never in a request's


def _wait_for(condition, what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def _descendants(pid: int) -> set[int]:
    parents = {}
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                parents[int(proc.name)] = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A server of this module's own, its environment holding DBT_PROFILES_DIR (no request sends
    one unless the test says so), warmed; yields its address and pid."""
    address = str(tmp_path_factory.mktemp("forkserver") / "s")
    env = {**os.environ, "DBT_PROFILES_DIR": SERVER_ONLY}
    process = subprocess.Popen([*PROGRAM, "--serve", address], stdin=subprocess.PIPE, env=env)
    process.stdin.write(b"w")
    process.stdin.flush()
    # warmed, it imports dbt before any client asks: the DuckDB library is loaded in the server
    maps = Path(f"/proc/{process.pid}/maps")
    _wait_for(lambda: "duckdb" in maps.read_text(), "the server to import dbt and its adapter", 60)
    yield address, process.pid
    for pid in _descendants(process.pid):  # a failed test leaves no dbt running
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    process.stdin.close()
    process.wait(timeout=10)


@pytest.fixture
def python_without_dbt(tmp_path) -> Path:
    """An interpreter with no `dbt` beside it: a client run by it reaches dbt only through the
    server (the client needs nothing but the standard library)."""
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "python").symlink_to(sys.executable)
    return tmp_path / "bin" / "python"


def _through(server, python: Path, *arguments: str, cwd: Path, env: dict):
    env = {**env, dbt_forkserver.ADDRESS_VARIABLE: server[0]}
    return subprocess.run(
        [str(python), "-P", dbt_forkserver.__file__, *arguments],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _installed(*arguments: str, cwd: Path, env: dict):
    return subprocess.run([INSTALLED_DBT, *arguments], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def _last_line(text: str) -> str:
    return text.strip().splitlines()[-1]


def test_dbt_through_the_server_has_the_callers_environment_and_directory(server, python_without_dbt, tmp_path):
    (tmp_path / "profiles.yml").touch()
    env = {k: v for k, v in os.environ.items() if k != "DBT_PROFILES_DIR"}
    sent = {**env, "DBT_PROFILES_DIR": str(DBT_PROJECT_DIR)}
    through = _through(server, python_without_dbt, "debug", "--config-dir", cwd=tmp_path, env=sent)
    installed = _installed("debug", "--config-dir", cwd=tmp_path, env=sent)
    assert through.returncode == installed.returncode == 0, through.stderr
    assert _last_line(through.stdout) == _last_line(installed.stdout) == f"xdg-open {DBT_PROJECT_DIR}"
    # no DBT_PROFILES_DIR in the request: dbt reads profiles.yml from the caller's directory, not
    # from the directory the server's own environment names
    through = _through(server, python_without_dbt, "debug", "--config-dir", cwd=tmp_path, env=env)
    assert _last_line(through.stdout) == f"xdg-open {tmp_path}"


def test_failures_exit_as_with_the_installed_dbt(server, python_without_dbt, tmp_path):
    env = {**os.environ, "WAREHOUSE_DIR": str(tmp_path / "warehouse")}
    (tmp_path / "warehouse").mkdir()
    reuse_for(DBT_PROJECT_DIR / "target", tmp_path / "t", env["WAREHOUSE_DIR"])
    for arguments in (["nosuch"], ["show", "--inline", "select no_such_column", "--target-path", str(tmp_path / "t")]):
        through = _through(server, python_without_dbt, *arguments, cwd=DBT_PROJECT_DIR, env=env)
        installed = _installed(*arguments, cwd=DBT_PROJECT_DIR, env=env)
        assert through.returncode == installed.returncode != 0, (through.stdout, through.stderr)
        # dbt's message: on stdout for a failed query, on stderr for a usage error (stderr also
        # carries interpreter-exit noise from dbt's thread pool, so stdout is read first)
        assert _last_line(through.stdout or through.stderr) == _last_line(installed.stdout or installed.stderr)


def _long_query(server, python: Path, tmp_path: Path, name: str) -> tuple[subprocess.Popen, Path]:
    """dbt running a query that takes minutes, its output in a file (read while it runs)."""
    output = tmp_path / f"{name}.out"
    env = {**os.environ, "WAREHOUSE_DIR": str(tmp_path / "warehouse"), dbt_forkserver.ADDRESS_VARIABLE: server[0]}
    (tmp_path / "warehouse").mkdir(exist_ok=True)
    # the project's saved parse, for this WAREHOUSE_DIR: dbt parses nothing again (seconds saved)
    reuse_for(DBT_PROJECT_DIR / "target", tmp_path / name, env["WAREHOUSE_DIR"])
    command = [
        str(python), "-P", dbt_forkserver.__file__,
        "show", "--inline", "select sum(i % 7) as s from range(100000000000) t(i)",
        "--target-path", str(tmp_path / name), "--log-level-file", "none",
    ]  # fmt: skip
    with open(output, "w") as stdout:
        process = subprocess.Popen(command, cwd=DBT_PROJECT_DIR, env=env, stdout=stdout, stderr=subprocess.STDOUT)
    # dbt's output streams while it runs: it has parsed the project and is about to send the query
    _wait_for(lambda: "Concurrency" in output.read_text() or process.poll() is not None, "dbt to parse", 120)
    assert process.poll() is None, output.read_text()
    time.sleep(1.5)
    return process, output


def test_ctrl_c_reaches_dbt_and_a_client_killed_takes_its_dbt_with_it(server, python_without_dbt, tmp_path):
    _, server_pid = server
    query, output = _long_query(server, python_without_dbt, tmp_path, "interrupted")
    query.send_signal(signal.SIGINT)
    assert query.wait(timeout=15) == 2, output.read_text()  # dbt's status for an interrupted command
    _wait_for(lambda: not _descendants(server_pid), "dbt to end", 15)

    query, output = _long_query(server, python_without_dbt, tmp_path, "orphaned")
    assert len(_descendants(server_pid)) >= 2  # the process reporting to the client, dbt (and its helpers)
    query.kill()
    query.wait()
    # dbt is interrupted at once (the query alone would run for minutes)
    _wait_for(lambda: not _descendants(server_pid), "dbt to end after its client was killed", 15)


def test_a_client_gone_before_dbt_started_leaves_no_dbt_running(server, tmp_path):
    """A request sent, the client gone before it learns dbt's pid (an interrupt while the server
    was still importing): the dbt started for it is interrupted at once."""
    _, server_pid = server
    (tmp_path / "warehouse").mkdir()
    reuse_for(DBT_PROJECT_DIR / "target", tmp_path / "t", str(tmp_path / "warehouse"))
    query = "select sum(i % 7) from range(100000000000) t(i)"
    arguments = ["show", "--inline", query, "--target-path", str(tmp_path / "t")]
    env = {**os.environ, "WAREHOUSE_DIR": str(tmp_path / "warehouse")}
    request = json.dumps({"argv": arguments, "env": env, "cwd": str(DBT_PROJECT_DIR)}).encode()
    output = tmp_path / "out"
    with (
        open(output, "w") as out,
        open(os.devnull) as stdin,
        socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection,
    ):
        connection.connect(server[0])
        socket.send_fds(connection, [b"r"], [stdin.fileno(), out.fileno(), out.fileno()])
        connection.sendall(struct.pack(">Q", len(request)) + request)
    # gone: the socket closed before the server sends dbt's pid
    # a dbt starts for the request, and is interrupted before or after dbt's command line took over
    _wait_for(lambda: output.read_text(), "dbt to start", 60)
    _wait_for(lambda: not _descendants(server_pid), "dbt to end, its client gone", 15)
    # Three places the interrupt can land, each reported: before dbt's command line took over
    # (the server's sentence), inside click before dbt's own handler (click's "Aborted!", what the
    # installed dbt prints there too), or after dbt's logging started.
    text = output.read_text()
    reported = ("dbt was interrupted before it started.", "Aborted!", "Running with dbt")
    assert any(sentence in text for sentence in reported), text


def test_without_a_server_the_client_runs_the_installed_dbt(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != dbt_forkserver.ADDRESS_VARIABLE}
    env["DBT_PROFILES_DIR"] = str(DBT_PROJECT_DIR)
    alone = subprocess.run([*PROGRAM, "debug", "--config-dir"], env=env, capture_output=True, text=True, timeout=120)
    assert alone.returncode == 0 and _last_line(alone.stdout) == f"xdg-open {DBT_PROJECT_DIR}"
    # the run that started a server has ended: the client runs dbt itself
    env[dbt_forkserver.ADDRESS_VARIABLE] = str(tmp_path / "gone" / "socket")
    gone = subprocess.run([*PROGRAM, "debug", "--config-dir"], env=env, capture_output=True, text=True, timeout=120)
    assert gone.returncode == 0 and _last_line(gone.stdout) == f"xdg-open {DBT_PROJECT_DIR}"
