"""Resources, all built from the one Settings object."""

from __future__ import annotations

import importlib.metadata
import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path

import dagster as dg
import duckdb
from dagster_dbt import DbtCliResource
from packaging import version
from pydantic import PrivateAttr

from . import dbt_forkserver_control
from .checks import gx_worker
from .core.errors import SourceFileError
from .dbt_invocations import remove_old_invocations
from .dbt_parse_state import reuse_for
from .dbt_project import warehouse_dbt_project
from .ingest.catalogue import Catalogue, describe_skipped
from .refresh_lock import RefreshLocked, describe_removed, launched_by, refresh_lock
from .settings import Settings, SettingsError


class WarehouseResource(dg.ConfigurableResource):
    """Where the warehouse lives. Setting it up for a run takes the warehouse's refresh lock
    (orchestration/refresh_lock.py) and points dbt at the same directories, so whatever the
    Launchpad says here is what every step, dbt included, uses."""

    raw_dir: str
    warehouse_dir: str
    # Within a run, the build database opened once for the steps in a row that read or write it
    # (connect_build); None outside a run and while dbt or the publish step has the file.
    _held: duckdb.DuckDBPyConnection | None = PrivateAttr(default=None)
    _held_read_only: bool = PrivateAttr(default=False)
    _in_run: bool = PrivateAttr(default=False)

    @property
    def settings(self) -> Settings:
        return Settings(raw_dir=Path(self.raw_dir).resolve(), warehouse_dir=Path(self.warehouse_dir).resolve())

    @contextmanager
    def yield_for_execution(self, context: dg.InitResourceContext) -> Iterator[WarehouseResource]:
        settings = self.settings
        try:
            settings.validate()
        except SettingsError as exc:
            raise dg.Failure(description=str(exc)) from None
        run = context.run
        # dbt's profiles.yml reads WAREHOUSE_DIR: the run's own directory, not the one the code
        # location was loaded with.
        settings.export_to_environ()
        # dbt's log lines reach the UI as they are: no terminal colour codes in them.
        os.environ.setdefault("DBT_USE_COLORS", "false")
        os.environ.setdefault("DBT_USE_COLORS_FILE", "false")
        os.environ.setdefault("DO_NOT_TRACK", "1")
        try:
            with refresh_lock(
                settings.warehouse_dir,
                run_id=run.run_id if run else "(no run)",
                raw_dir=settings.raw_dir,
                launched_by=launched_by(dict(run.tags) if run else {}),
            ) as removed:
                if removed:
                    context.log.warning(describe_removed(removed, settings.warehouse_dir))
                skipped = _skipped_artefacts(settings.raw_dir)
                if skipped:
                    context.log.info(describe_skipped(skipped))
                # Great Expectations imports on the other core while the files are parsed; dbt's
                # fork server starts now and imports dbt when the raw checks warm it
                gx_worker.start()
                dbt_forkserver_control.start()
                self._in_run = True
                try:
                    yield self
                finally:
                    self._in_run = False
                    self.release_build()
                    dbt_forkserver_control.stop()
                    gx_worker.stop()
        except RefreshLocked as exc:
            raise dg.Failure(description=str(exc)) from None

    def connect_build(self, read_only: bool = False) -> duckdb.DuckDBPyConnection:
        """A connection to the build database; read_only: reading is all the caller does.

        Opening the file reads its whole catalogue (20-30 ms), and a refresh's steps ask about fifty
        times: the ingest steps, each Great Expectations suite, dbt's results. Within a run the file
        stays open between steps and each call gets a cursor on it; a connection held for writing
        also serves readers, one held read-only is reopened for a writer. release_build closes it
        for dbt (another process) and the publish step, and the run's end closes it."""
        if self._held is not None and (read_only or not self._held_read_only):
            return self._held.cursor()
        self.release_build()
        self.settings.warehouse_dir.mkdir(parents=True, exist_ok=True)
        connection = duckdb.connect(str(self.settings.build_db), read_only=read_only)
        if not self._in_run:
            return connection
        self._held, self._held_read_only = connection, read_only
        return connection.cursor()

    def release_build(self) -> None:
        """Close the build database this process holds open, so another process (dbt) or another
        kind of connection (the publish step's) can open it."""
        held, self._held = self._held, None
        if held is not None:
            held.close()


def _skipped_artefacts(raw_dir: Path) -> tuple[str, ...]:
    try:
        return Catalogue.load().scan(raw_dir).skipped
    except SourceFileError:
        return ()  # the ingest step refuses the directory, naming the file


class WarehouseDbtCliResource(DbtCliResource):
    """dagster-dbt's resource without two start-up costs we do not use (measured: 6.6 s of every
    dbt step): it runs `dbt --version` in a subprocess to learn the version (2.3 s, and that command
    asks the package index for newer releases), and it imports dbt and opens a second, read-only
    adapter in this process (4 s) only to fetch row counts and column metadata, which the dbt asset
    reads itself once dbt has exited."""

    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(importlib.metadata.version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args):
        return None

    def _get_unique_target_path(self, *, context) -> Path:
        # dagster-dbt copies target/partial_parse.msgpack into each invocation's target directory
        # unless one is there; in another WAREHOUSE_DIR than the parse's, the copy put there first
        # carries the profile hash dbt computes for it, so dbt parses only what changed
        # (orchestration/dbt_parse_state.py).
        path = super()._get_unique_target_path(context=context)
        project_dir = Path(self.project_dir)
        remove_old_invocations(project_dir / path.parent)
        reuse_for(project_dir / path.parent, project_dir / path, os.environ.get("WAREHOUSE_DIR"))
        return path


def build_resources(settings: Settings) -> dict:
    """The resources, configured from `settings`; nothing is written or exported here (loading the
    code location changes no file and no environment variable): the warehouse resource exports the
    run's directories and dbt's settings when a run starts."""
    dbt_executable, *dbt_arguments = dbt_forkserver_control.client_command()
    return {
        "warehouse": WarehouseResource(raw_dir=str(settings.raw_dir), warehouse_dir=str(settings.warehouse_dir)),
        # dbt through the run's fork server (orchestration/dbt_forkserver.py), which runs the dbt
        # installed beside this interpreter, whether or not the venv is on PATH.
        "dbt": WarehouseDbtCliResource(
            project_dir=warehouse_dbt_project,
            dbt_executable=dbt_executable,
            global_config_flags=dbt_arguments,
        ),
    }
