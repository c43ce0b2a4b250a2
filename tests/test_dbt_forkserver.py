"""dbt through the run's fork server (orchestration/dbt_forkserver.py): the same output, exit
status, environment and working directory as the installed dbt; Ctrl-C reaches dbt; a client that
dies takes its dbt with it; without a server the client runs the installed dbt."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from orchestration import dbt_forkserver
from orchestration.dbt_parse_state import reuse_for
from orchestration.settings import DBT_PROJECT_DIR

INSTALLED_DBT = Path(sys.executable).parent / "dbt"


@pytest.fixture
def server():
    """This test process's server, warmed; its address leaves the environment afterwards (the
    session's teardown stops the server)."""
    dbt_forkserver.start()
    dbt_forkserver.warm()
    yield os.environ[dbt_forkserver.ADDRESS_VARIABLE]
    os.environ.pop(dbt_forkserver.ADDRESS_VARIABLE, None)


@pytest.fixture
def python_without_dbt(tmp_path) -> Path:
    """An interpreter with no `dbt` beside it: a client run by it can only reach dbt through the
    server (the client itself needs nothing but the standard library)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python").symlink_to(sys.executable)
    return bin_dir / "python"


def _client(python: Path) -> list[str]:
    return [str(python), "-P", dbt_forkserver.__file__]


def _last_line(text: str) -> str:
    return text.strip().splitlines()[-1]


def test_dbt_through_the_server_reads_the_callers_environment_and_directory(server, python_without_dbt, tmp_path):
    (tmp_path / "profiles.yml").touch()
    env = {**os.environ, "DBT_PROFILES_DIR": str(DBT_PROJECT_DIR)}
    through = subprocess.run(
        [*_client(python_without_dbt), "debug", "--config-dir"], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    installed = subprocess.run(
        [INSTALLED_DBT, "debug", "--config-dir"], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert through.returncode == installed.returncode == 0, through.stderr
    assert _last_line(through.stdout) == _last_line(installed.stdout) == f"xdg-open {DBT_PROJECT_DIR}"
    # the working directory: with no DBT_PROFILES_DIR, dbt reads profiles.yml from it
    env.pop("DBT_PROFILES_DIR")
    through = subprocess.run(
        [*_client(python_without_dbt), "debug", "--config-dir"], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert _last_line(through.stdout) == f"xdg-open {tmp_path}"


def test_an_unknown_command_fails_as_with_the_installed_dbt(server, python_without_dbt):
    through = subprocess.run([*_client(python_without_dbt), "nosuch"], capture_output=True, text=True)
    installed = subprocess.run([INSTALLED_DBT, "nosuch"], capture_output=True, text=True)
    assert through.returncode == installed.returncode == 2
    assert through.stderr == installed.stderr
    assert "No such command 'nosuch'" in through.stderr


def _descendants(pid: int) -> set[int]:
    parents = {}
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                parents[int(proc.name)] = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _long_query(python: Path, tmp_path: Path, name: str) -> tuple[subprocess.Popen, Path]:
    """dbt running a query that takes minutes, its output in a file (read while it runs)."""
    output = tmp_path / f"{name}.out"
    command = [
        *_client(python), "show", "--inline", "select sum(i % 7) as s from range(100000000000) t(i)",
        "--target-path", str(tmp_path / name), "--log-level-file", "none",
    ]  # fmt: skip
    env = {**os.environ, "WAREHOUSE_DIR": str(tmp_path / "warehouse")}
    # the project's saved parse, for this WAREHOUSE_DIR: dbt parses nothing again (seconds saved)
    reuse_for(DBT_PROJECT_DIR / "target", tmp_path / name, env["WAREHOUSE_DIR"])
    with open(output, "w") as stdout:
        process = subprocess.Popen(command, cwd=DBT_PROJECT_DIR, env=env, stdout=stdout, stderr=subprocess.STDOUT)
    # dbt has parsed the project and is about to send the query
    _wait_for(lambda: "Concurrency" in output.read_text() or process.poll() is not None, "dbt to parse", 120)
    assert process.poll() is None, output.read_text()
    time.sleep(1.5)
    return process, output


def _wait_for(condition, what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def test_ctrl_c_reaches_dbt_and_a_client_killed_takes_its_dbt_with_it(server, python_without_dbt, tmp_path):
    server_pid = dbt_forkserver._server.pid
    _wait_for(lambda: not _descendants(server_pid), "an earlier dbt to end")
    (tmp_path / "warehouse").mkdir()

    try:
        query, output = _long_query(python_without_dbt, tmp_path, "interrupted")
        query.send_signal(signal.SIGINT)
        assert query.wait(timeout=15) == 2, output.read_text()  # dbt's status for an interrupted command
        assert not _descendants(server_pid)

        query, output = _long_query(python_without_dbt, tmp_path, "orphaned")
        assert len(_descendants(server_pid)) >= 2  # the process reporting to the client, dbt (and its helpers)
        query.kill()
        query.wait()
        # dbt is interrupted at once (the query alone would run for minutes)
        _wait_for(lambda: not _descendants(server_pid), "dbt to end after its client was killed", 15)
        assert dbt_forkserver._server.poll() is None  # the server serves the next run
    finally:  # a failure leaves no query running
        for pid in _descendants(server_pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def test_without_a_server_the_client_runs_the_installed_dbt(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != dbt_forkserver.ADDRESS_VARIABLE}
    env["DBT_PROFILES_DIR"] = str(DBT_PROJECT_DIR)
    alone = subprocess.run(
        [*dbt_forkserver.client_command(), "debug", "--config-dir"], env=env, capture_output=True, text=True
    )
    assert alone.returncode == 0 and _last_line(alone.stdout) == f"xdg-open {DBT_PROJECT_DIR}"
    # a server that is gone: the client runs dbt itself
    env[dbt_forkserver.ADDRESS_VARIABLE] = str(tmp_path / "gone" / "socket")
    gone = subprocess.run(
        [*dbt_forkserver.client_command(), "debug", "--config-dir"], env=env, capture_output=True, text=True
    )
    assert gone.returncode == 0 and _last_line(gone.stdout) == f"xdg-open {DBT_PROJECT_DIR}"
