"""Command-line entry points: build the warehouse (`make run`), query it (`make sql`), roll back.

    python -m orchestration.cli build [--allow-changes] [--full]
    python -m orchestration.cli status         # the current publication: every table, its rows
    python -m orchestration.cli sql "select * from mart_location_quotient limit 5"
    python -m orchestration.cli sql            # interactive: statements end with ';'
    python -m orchestration.cli rollback [VERSION]

`sql` opens the published file read-only with the DuckDB library of this environment (the DuckDB
1.5 command-line shell cannot open files written by DuckDB 2.0), confined to it: it reads no other
file and writes only under WAREHOUSE_DIR/exports, unless `--files` (`make sql FILES=1`).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, redirect_stderr, redirect_stdout
from pathlib import Path
from typing import TextIO

from .settings import SAMPLES_NOTE, Settings, SettingsError, built_from_samples

EXAMPLE_QUERY = """\
select p.name_en, l.industry_code, i.name_en as industry, round(l.lq, 3) as lq
from mart_location_quotient l
join dim_province p using (province_code)
join dim_industry i using (industry_code)
where l.universe_code = 'yrd' and l.year = 2014 and l.province_code = '320000'
  and l.indicator = 'main_business_revenue'
order by l.lq desc
limit 5"""


# the tables counted are the data; three more describe the publication itself
PUBLICATION_TABLES_NOTE = "publication_manifest, publication_table and publication_source_file describe them"


def build(settings: Settings, allow_changes: bool = False, full: bool = False) -> int:
    started = time.perf_counter()
    try:
        settings.validate()
    except SettingsError as exc:
        print(f"The warehouse was NOT refreshed: {exc}", file=sys.stderr)
        return 2
    if _preflight_refused(settings, allow_changes, started):
        return 1
    if not full and not allow_changes and _nothing_changed(settings, started):
        return 0
    result, timings, log_path, printed = _run_refresh_job(settings, allow_changes, full)
    # What is printed follows what happened to the file, not what the run reported.
    published = _published_run_id(settings) == result.run_id
    if not published and _stopped_at_file_list(result) and _nothing_changed(settings, started):
        return 0  # the files became the published ones again after the check above: the run stopped at its start
    if not published:
        _print_not_refreshed(settings, result, log_path)
        return 1
    _print_published(settings, result, timings, started, printed)
    return 0


def _preflight_refused(settings: Settings, allow_changes: bool, started: float) -> bool:
    """True (and says why) when the checks before Dagster starts refuse the build."""
    from .preflight import preflight

    check = preflight(settings, allow_changes)
    for line in check.said:
        print(line)
    if check.refusal:
        print(
            f"{check.refusal}\n({time.perf_counter() - started:.1f} s; Dagster and dbt were not started)",
            file=sys.stderr,
        )
        return True
    return False


def _run_refresh_job(settings: Settings, allow_changes: bool, full: bool):
    """Run the refresh job in process, its output to the run's log and a line per stage to the
    terminal; returns its result, its seconds per stage, the log's path and the sum of the stage
    seconds as printed."""
    from dagster import DagsterInstance

    from .definitions import build_definitions
    from .ingest.assets import REPARSE_TAG
    from .run_history import write_run_history_without_fsync

    write_run_history_without_fsync()

    settings.export_to_environ()
    job = build_definitions(settings).resolve_job_def("refresh_warehouse")
    run_config = {
        # Step logs and tracebacks go to the run record (see `make ui`); the terminal gets a summary.
        "loggers": {"console": {"config": {"log_level": "CRITICAL"}}},
        "ops": {_publish_op(): {"config": {"allow_changes": allow_changes, "full": full}}},
    }
    run_id = str(uuid.uuid4())
    log_path = run_log_path(settings, run_id)
    print(f"Refreshing the warehouse from {settings.raw_dir}; dbt's output and the run's log: {log_path}", flush=True)
    with DagsterInstance.get() as instance, run_output_to(log_path) as terminal:
        progress = StageProgress(terminal)
        instance.add_event_listener(run_id, progress)
        tags = {"warehouse/launched_by": "make run (command line)", **({REPARSE_TAG: "true"} if full else {})}
        result = job.execute_in_process(
            instance=instance, raise_on_error=False, run_config=run_config, tags=tags, run_id=run_id
        )
        progress.finish()
        timings = stage_timings(instance, result.run_id)
    return result, timings, log_path, progress.printed_total


def _print_not_refreshed(settings: Settings, result, log_path: Path) -> None:
    print("\nThe warehouse was NOT refreshed; the published file was left as it was.", file=sys.stderr)
    for line in failure_causes(result.all_events):
        print(f"  {line}", file=sys.stderr)
    print_failed_checks(settings, result.run_id)
    print(f"\nThe run's full log (dbt's output included): {log_path}", file=sys.stderr)


def _print_published(settings: Settings, result, timings: dict[str, float], started: float, printed: float) -> None:
    """What was published and how long it took, recorded for `make bench`; a failure reported after
    the new file was in place is said too."""
    if not result.success:
        print("\nPublished, but the run reported a failure after the new file was in place:", file=sys.stderr)
        for line in failure_causes(result.all_events):
            print(f"  {line}", file=sys.stderr)
    timings["total_seconds"] = round(time.perf_counter() - started, 3)
    from .checks.report import record_timing

    record_timing(settings.warehouse_dir, result.run_id, timings)
    # the total says what no stage's steps took, so that the stage lines (`printed`, their sum as
    # printed) and it add up as printed
    total = float(f"{timings['total_seconds']:.1f}")
    print(f"Built and published in {total:.1f} s, {total - printed:.1f} s of it {AROUND_STAGES}.")
    summarise(settings, result.run_id)
    if settings.is_sample_raw_dir:
        print(
            f"\nNOTE: built from the {SAMPLES_NOTE}.\n"
            "Build from real extracts with: make run RAW_DIR=../shared/data/yearbook"
        )


def run_log_path(settings: Settings, run_id: str) -> Path:
    """Where `make run` writes what the run prints: dbt's lines, Dagster's and the libraries'
    warnings. One file per run, named by its start time and run id."""
    return settings.warehouse_dir / "logs" / f"{time.strftime('%Y%m%dT%H%M%S')}_{run_id[:8]}.log"


@contextmanager
def run_output_to(path: Path) -> Iterator[TextIO]:
    """Everything written during the block goes to `path`: Python's sys.stdout and sys.stderr (dbt's
    lines, which dagster-dbt re-prints, and warnings) and file descriptors 1 and 2 (logging handlers
    made earlier, child processes). Yields a stream to what was stdout before, for progress lines."""
    path.parent.mkdir(parents=True, exist_ok=True)
    sys.stdout.flush()
    sys.stderr.flush()
    # when sys.stdout is the process's own, progress goes to a copy of descriptor 1 made before
    # the redirection; otherwise (a test capturing output) to that stdout object
    real_stdout = sys.stdout is sys.__stdout__
    saved = {fd: os.dup(fd) for fd in (1, 2)}
    with ExitStack() as stack:
        out = (
            stack.enter_context(open(os.dup(saved[1]), "w", encoding="utf-8", buffering=1))
            if real_stdout
            else sys.stdout
        )
        log = stack.enter_context(open(path, "a", encoding="utf-8", buffering=1))
        try:
            for fd in (1, 2):
                os.dup2(log.fileno(), fd)
            with redirect_stdout(log), redirect_stderr(log):
                yield out
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            for fd, copy in saved.items():
                os.dup2(copy, fd)
                os.close(copy)


# The stages of a refresh, in the order they run: (what `make run` prints, key in _timings.json,
# which steps belong to it).
STAGES = (
    ("ingest", "ingest", lambda step: step.startswith("raw__") and "_gx_" not in step),
    ("raw checks", "raw_checks", lambda step: step.startswith("raw__") and "_gx_" in step),
    ("dbt build", "dbt_build_step", lambda step: step == "warehouse_dbt_models"),
    ("mart checks", "mart_checks", lambda step: step.startswith("marts__")),
    ("analysis", "analysis", lambda step: step.startswith("analysis__")),
    ("publish", "publish", lambda step: step == _publish_op()),
    ("report", "report", lambda step: step.startswith("published__")),
)


# what a refresh spends outside its stages' steps, said with its total
AROUND_STAGES = (
    "around the stages (the checks before Dagster, loading it, the run's start and end, its work between steps)"
)


def _publish_op() -> str:
    # publish_scope imports Dagster (0.45 s): `make run` with nothing to do never needs it
    from .publish_scope import PUBLISH_OP

    return PUBLISH_OP


def stage_of(step_key: str) -> tuple[str, str]:
    return next(((name, key) for name, key, test in STAGES if test(step_key)), ("other", "other"))


class StageProgress:
    """An event listener of one run: prints a line per stage as the run goes, the stage's name
    when its first step starts and its seconds (the sum of its steps) when the next stage begins
    or the run ends."""

    def __init__(self, out: TextIO):
        self.out = out
        self.stage: str | None = None
        self.seconds = 0.0
        self.failed = False
        self.step_started: dict[str, float] = {}
        self.printed_total = 0.0  # the stage seconds as printed (one decimal), summed

    def __call__(self, entry) -> None:
        event = entry.dagster_event
        if event is None or event.step_key is None:
            return
        if event.event_type_value == "STEP_START":
            name, _ = stage_of(event.step_key)
            if name != self.stage:
                self.finish()
                self.stage, self.seconds, self.failed = name, 0.0, False
                self.out.write(f"  {name:<12}")
                self.out.flush()
            self.step_started[event.step_key] = entry.timestamp
        elif event.event_type_value in ("STEP_SUCCESS", "STEP_FAILURE") and event.step_key in self.step_started:
            self.seconds += entry.timestamp - self.step_started.pop(event.step_key)
            self.failed = self.failed or event.event_type_value == "STEP_FAILURE"
            if event.event_type_value == "STEP_FAILURE":
                self.finish()

    def finish(self) -> None:
        if self.stage is None:
            return
        shown = f"{self.seconds:6.1f}"
        self.printed_total = round(self.printed_total + float(shown), 1)
        self.out.write(f"{shown} s{'  FAILED' if self.failed else ''}\n")
        self.out.flush()
        self.stage = None


def stage_timings(instance, run_id: str) -> dict[str, float]:
    """Seconds per stage of a run, from its event log: what `make bench` reports."""
    started, spent = {}, {key: 0.0 for _, key, _ in STAGES}
    logs = instance.all_logs(run_id)
    for entry in logs:
        event = entry.dagster_event
        if event is None or event.step_key is None:
            continue
        if event.event_type_value == "STEP_START":
            started[event.step_key] = entry.timestamp
        elif event.event_type_value in ("STEP_SUCCESS", "STEP_FAILURE") and event.step_key in started:
            _, key = stage_of(event.step_key)
            spent[key] = spent.get(key, 0.0) + entry.timestamp - started[event.step_key]
    timings = {f"{key}_seconds": round(value, 3) for key, value in spent.items()}
    if logs:
        timings["run_seconds"] = round(logs[-1].timestamp - logs[0].timestamp, 3)
    return timings


def _stopped_at_file_list(result) -> bool:
    """The run's first step found nothing changed and stopped the run (ingest/file_list.py)."""
    from .ingest.file_list import FILE_LIST_KEY

    return result.success and any(
        event.event_type_value == "ASSET_OBSERVATION" and event.asset_key == FILE_LIST_KEY
        for event in result.all_events
    )


def _nothing_changed(settings: Settings, started: float) -> bool:
    """True (and says so) when the raw files, the raw directory and the code are exactly those of
    the current publication: a refresh would publish the same numbers."""
    from .raw_snapshot import unchanged_publication

    unchanged = unchanged_publication(settings.raw_dir, settings.published_db)
    if unchanged is None:
        return False
    manifest, n_files = unchanged
    print(
        f"Nothing changed since the publication of {manifest.get('published_at')} (run "
        f"{str(manifest.get('run_id'))[:8]}): the same {n_files} files from {settings.raw_dir}, byte for "
        f"byte, and the same code. Nothing was rebuilt or published ({time.perf_counter() - started:.1f} s). "
        "Force a rebuild with: make run FULL=1"
    )
    return True


def _published_run_id(settings: Settings) -> str | None:
    import duckdb

    from .raw_snapshot import published_snapshot

    try:
        return published_snapshot(settings.published_db)[1].get("run_id")
    except duckdb.Error:  # unreadable: certainly not this run's publication
        return None


def _innermost(error):
    """The innermost cause of a Dagster error: what actually went wrong (a rejected cell, the lock
    holder, ENOSPC, a read-only directory), not the wrapper saying a step or resource failed."""
    while error is not None and (error.cause or error.context):
        error = error.cause or error.context
    return error


def _clean_message(error) -> list[str]:
    text = error.message.strip() or error.cls_name
    # "dagster._core.definitions.events.Failure: text" -> "text"
    text = re.sub(r"^[\w.]+(Error|Failure|Exception)\w*: ", "", text)
    return [line for line in text.splitlines() if line.strip() and not line.startswith("Stack Trace")]


def failure_causes(events) -> list[str]:
    from dagster import DagsterEventType

    lines = []
    events = list(events)
    step_failed = any(e.event_type == DagsterEventType.STEP_FAILURE for e in events)
    for event in events:
        error = None
        if event.event_type == DagsterEventType.STEP_FAILURE:
            error = event.step_failure_data.error
            where = f"step {event.step_key} failed"
        elif (
            not step_failed
            and event.event_type in (DagsterEventType.RUN_FAILURE, DagsterEventType.ENGINE_EVENT)
            and getattr(event.event_specific_data, "error", None) is not None
        ):
            error = event.event_specific_data.error
            where = "the run failed"
        if error is None:
            continue
        first, *rest = _clean_message(_innermost(error))
        line = f"{where}: {first}"
        if line not in lines:
            lines.append(line)
            lines.extend("    " + r for r in rest[:14])
    return lines or ["the run failed without an error message; see the run in `make ui`"]


def print_failed_checks(settings: Settings, run_id: str) -> None:
    """The blocking failures of this run (GE expectations and dbt tests) from its validation report."""
    from .checks.report import sections

    directory = settings.warehouse_dir / "reports" / run_id
    for section in sections(directory):
        for r in section.get("results", []):
            if not r["success"] and r["severity"] == "error":
                print(
                    f"\n  {section['title']}: {r['expectation']} on {r['column'] or 'rows'} failed for "
                    f"{r['unexpected_count']} rows; e.g.",
                    file=sys.stderr,
                )
                for row in r["sample"][:3]:
                    print(f"    {row}", file=sys.stderr)
    if (directory / "index.html").exists():
        print(f"\nValidation report: {directory / 'index.html'}", file=sys.stderr)


def comparison_reports_of_the_run(settings: Settings, published_at: float) -> tuple[list[Path], list[Path]]:
    """The reports a refresh writes (each pair of REPORT_PAIRS, the default indicator) written since
    the publication (epoch seconds), and the other reports of the folder: from an earlier publication
    (`make report`, or a refresh whose report step then failed)."""
    from .report import DEFAULT_INDICATOR, report_stem
    from .report.asset import ComparisonReportConfig, pairs_to_report

    directory = settings.comparison_reports_dir
    ours = [directory / f"{report_stem(p, DEFAULT_INDICATOR)}.html" for p in pairs_to_report(ComparisonReportConfig())]
    written = [path for path in ours if path.exists() and path.stat().st_mtime >= published_at]
    earlier = sorted(set(directory.glob("*.html")) - set(written))
    return written, earlier


def summarise(settings: Settings, run_id: str) -> None:
    """What a user reads after `make run`: the file, what it holds, what was withheld, the reports.
    The listing of every table is `make status`."""
    import duckdb

    with duckdb.connect(str(settings.published_db), read_only=True) as con:
        tables, rows = con.execute("select count(*), sum(row_count) from publication_table").fetchall()[0]
        files, cells = con.execute(
            "select count(distinct source_file), sum(n_values) from publication_source_file"
        ).fetchall()[0]
        withheld = con.execute("select scope, count(*) from fct_quarantine group by scope order by scope").fetchall()
        withheld_names = withheld_province_years(con)
        (published_at,) = con.execute("select max(published_at) from publication_manifest").fetchone()
    print(f"Published file: {settings.published_db}")
    print(f"  {tables} tables, {rows:,} rows, from {files} source files ({cells:,} cells); {PUBLICATION_TABLES_NOTE}")
    if withheld:
        print(
            "  Withheld by the quality policy (query fct_quarantine for reasons): "
            + ", ".join(f"{n} {scope.replace('_', '-')}s" for scope, n in withheld)
        )
    for line in withheld_names:
        print(line)
    report = settings.warehouse_dir / "reports" / run_id / "index.html"
    if report.exists():
        print(f"Validation report: {report}")
    # publish records UTC; a report written before the file it reports on is an earlier one
    written, earlier = comparison_reports_of_the_run(settings, published_at.replace(tzinfo=dt.UTC).timestamp())
    for path in written:
        print(f"Comparison report: {path} (and .xlsx)")
    if earlier:
        print(
            f"  {len(earlier)} other report{'s' if len(earlier) != 1 else ''} in {settings.comparison_reports_dir} "
            f"{'were' if len(earlier) != 1 else 'was'} written from an earlier publication "
            "(make report A=... B=... writes one from this one)"
        )
    print('Every table and its rows: make status; query it: make sql Q="select ..."')


def status(settings: Settings) -> int:
    """The current publication: when, from what, its checks, every table with its rows, and an
    example query."""
    import duckdb

    from .raw_snapshot import published_snapshot

    if not settings.published_db.exists():
        print(f"No published warehouse at {settings.published_db}; run `make run` first.", file=sys.stderr)
        return 1
    _, manifest = published_snapshot(settings.published_db)
    checks = manifest.get("checks") or {}
    print(f"Published file: {settings.published_db}")
    print(
        f"  published {manifest.get('published_at')} by run {str(manifest.get('run_id'))[:8]} "
        f"from {manifest.get('raw_dir')}"
    )
    if built_from_samples(manifest):
        print(f"  built from the {SAMPLES_NOTE}")
    if checks:
        warnings = len(checks.get("warnings", []))
        print(
            f"  checks: {checks.get('passed')} passed, {warnings} warnings (of {checks.get('evaluated')} asset checks: "
            "dbt tests and expectation suites; the validation report lists every rule)"
        )
    if manifest.get("validation_report"):
        print(f"  validation report: {manifest['validation_report']}")
    with duckdb.connect(str(settings.published_db), read_only=True) as con:
        tables = con.execute("select table_name, row_count from publication_table order by table_name").fetchall()
        files, cells = con.execute(
            "select count(distinct source_file), sum(n_values) from publication_source_file"
        ).fetchall()[0]
        print(f"  {len(tables)} tables, from {files} source files ({cells:,} cells); {PUBLICATION_TABLES_NOTE}:")
        width = max(len(name) for name, _ in tables)
        for name, rows in tables:
            print(f"    {name:<{width}}  {rows:>12,}")
        print('Example query (make sql Q="..."):\n' + EXAMPLE_QUERY + "\n")
        con.sql(EXAMPLE_QUERY).show(max_width=200)
    return 0


def withheld_province_years(con) -> list[str]:
    """One line per province-year kept out of the metric universes, by name: a province that drops
    out of every LQ and Krugman universe of a year is never only a count."""
    from .withheld_province_years import withheld_province_years as withheld

    return [
        f"  kept out of the metric universes: {w.name_zh} ({w.province_code}) {w.year}, {w.indicator}: "
        f"{w.quarantine_reason} ({w.quarantine_detail})"
        for w in withheld(con)
    ]


def sql(settings: Settings, statement: str | None, local_files: bool = False) -> int:
    """Statements against the published file, one execute each, on the confined connection: it reads
    only the warehouse and writes only under WAREHOUSE_DIR/exports (`local_files`: any file)."""
    import duckdb

    from .published_connection import open_published, refusal

    if not settings.published_db.exists():
        print(f"No published warehouse at {settings.published_db}; run `make run` first.", file=sys.stderr)
        return 1
    exports = settings.warehouse_dir / "exports"
    exports.mkdir(parents=True, exist_ok=True)
    opened_inode = os.stat(settings.published_db).st_ino
    with open_published(settings.published_db, writable=[exports], local_files=local_files) as con:
        texts = [statement] if statement else _read_statements()
        for text in texts:
            if statement is None and _replaced(settings, opened_inode):
                print(
                    "Note: a newer publication has replaced the file this session has open; these results "
                    "are from the earlier one. Start `make sql` again to query the new one.",
                    file=sys.stderr,
                )
                opened_inode = None  # say it once
            try:
                for parsed in con.extract_statements(text):
                    relation = con.sql(_without_terminator(parsed.query))
                    if relation is not None:
                        relation.show(max_rows=200, max_width=200)
            except duckdb.Error as exc:
                print(refusal(exc, [exports]) or f"SQL error: {exc}", file=sys.stderr)
                if statement:
                    return 1
    return 0


def _without_terminator(statement: str) -> str:
    """One statement as DuckDB split it, without its closing ';' and the comments after it: the
    relation API wraps a SELECT in a subquery, where a ';' is a syntax error."""
    return re.sub(r";(\s|--[^\n]*|/\*.*?\*/)*$", "", statement, flags=re.DOTALL)


def _replaced(settings: Settings, opened_inode: int | None) -> bool:
    try:
        return opened_inode is not None and os.stat(settings.published_db).st_ino != opened_inode
    except OSError:
        return False


def _read_statements():
    """Statements from the terminal or a pipe; a statement ends with ';' (it may span lines). In a
    terminal an empty line on its own, with nothing pending, quits."""
    interactive = sys.stdin.isatty()
    pending: list[str] = []
    while True:
        try:
            line = input("sql> " if not pending else "...> ") if interactive else sys.stdin.readline()
        except EOFError:
            line = ""
            interactive = False
        if line == "" and not interactive:  # end of input
            if "".join(pending).strip():
                yield "\n".join(pending)
            return
        if not line.strip() and not pending:
            if interactive:
                return
            continue
        pending.append(line.rstrip("\n"))
        if line.rstrip().endswith(";"):
            yield "\n".join(pending)
            pending = []


def main(argv: list[str] | None = None) -> int:
    args = _argument_parser().parse_args(argv)
    settings = Settings.from_env()
    if args.command == "report":
        return report_command(settings)
    if args.command == "trace":
        return trace_command(settings)
    if args.command == "export":
        return export_command(settings, args)
    if args.command == "build":
        return build(
            settings, allow_changes=args.allow_changes or _flag("ALLOW_CHANGES"), full=args.full or _flag("FULL")
        )
    if args.command == "status":
        return status(settings)
    if args.command == "rollback":
        from .rollback import rollback

        return rollback(settings, args.version or os.environ.get("VERSION") or None)
    statement = args.statement if args.statement is not None else (_user_text("SQL_QUERY", "Q") or None)
    return sql(settings, statement, local_files=args.files or _flag("SQL_FILES"))


def _argument_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m orchestration.cli")
    sub = parser.add_subparsers(dest="command", required=True)
    build_cmd = sub.add_parser("build", help="ingest, build and publish the warehouse")
    build_cmd.add_argument(
        "--allow-changes",
        action="store_true",
        help="publish even if the build differs from the current publication as the guard warns",
    )
    build_cmd.add_argument("--full", action="store_true", help="parse every file and rebuild, even if nothing changed")
    sub.add_parser("status", help="the current publication: every table and its rows, the checks, an example query")
    _add_sql_command(sub)
    back = sub.add_parser("rollback", help="put a kept version back in place of the published file")
    back.add_argument(
        "version",
        nargs="?",
        help="a folder name under WAREHOUSE_DIR/versions (default: the one before the current publication)",
    )
    _add_export_command(sub)
    sub.add_parser(
        "trace",
        help="from one published row to the raw cells behind it: TABLE=... and key columns "
        "(universe=, province=, industry=, year=, indicator=, ...) in the environment",
    )
    sub.add_parser(
        "report",
        help="the comparison report of two region groups: REPORT_A, REPORT_B, REPORT_FROM, REPORT_TO "
        "[REPORT_INDICATOR] in the environment (make report A= B= FROM= TO= [INDICATOR=])",
    )
    return parser


def _add_sql_command(sub) -> None:
    query = sub.add_parser("sql", help="run SQL against the published file")
    query.add_argument(
        "statement",
        nargs="?",
        help="SQL to run; without it, read statements from stdin. "
        "`make sql` passes Q through the environment variable SQL_QUERY, never through a shell",
    )
    query.add_argument(
        "--files",
        action="store_true",
        help="let the session read and write local files (default: SQL_FILES, which `make sql FILES=1` sets); "
        "without it, it reads only the published file and writes only under WAREHOUSE_DIR/exports",
    )


def _add_export_command(sub) -> None:
    out = sub.add_parser("export", help="one published table to a file (csv, csv-excel, parquet, xlsx, dta)")
    out.add_argument("table", nargs="?", help="a published table (default: the environment variable TABLE)")
    out.add_argument(
        "--format", dest="file_format", help="csv, csv-excel, parquet, xlsx or dta (default: FORMAT, else csv)"
    )
    out.add_argument("--where", help="one condition on the table's columns (default: EXPORT_WHERE, else WHERE)")
    out.add_argument(
        "--out",
        type=Path,
        help="the file to write (default: EXPORT_OUT, else OUT, "
        "else WAREHOUSE_DIR/exports/<table>[__<selection>].<ext>)",
    )


def export_command(settings: Settings, args) -> int:
    from .export import ExportError, export
    from .published_connection import QueryRefused

    table = args.table or os.environ.get("TABLE")
    if not table:
        print("Name a table: make export TABLE=mart_location_quotient FORMAT=csv [WHERE=...]", file=sys.stderr)
        return 1
    file_format = (args.file_format or os.environ.get("FORMAT") or "csv").lower()
    where = args.where if args.where is not None else (_user_text("EXPORT_WHERE", "WHERE") or None)
    out_text = _user_text("EXPORT_OUT", "OUT").strip()
    out = args.out or (Path(out_text) if out_text else None)
    try:
        exported = export(settings, table, file_format, where, out)
    except (ExportError, QueryRefused) as exc:
        print(f"Export refused: {exc}", file=sys.stderr)
        return 1
    print(f"Wrote {exported.rows:,} {'row' if exported.rows == 1 else 'rows'} of {table} to {exported.path}")
    if exported.rows == 0 and where:
        print(
            f"WHERE={where!r} selected no row of {table}: the file holds the column names only. Text is "
            f'compared exactly as published; make sql Q="select distinct <column> from {table}" lists the '
            "values a column holds.",
            file=sys.stderr,
        )
    return 0


def _user_text(name: str, make_name: str) -> str:
    """What the user typed as make's `make_name` (WHERE, OUT, Q), which the Makefile passes on as
    `name` (empty when not typed); run without make, the CLI reads make's name itself rather than
    ignore it."""
    return os.environ.get(name) or os.environ.get(make_name, "")


def trace_command(settings: Settings) -> int:
    from .trace import TraceError, keys_from_environment, report, trace

    table = os.environ.get("TABLE")
    if not table:
        print(
            "Name a table and its keys: make trace TABLE=mart_specialization_relative universe=yrd "
            "province=320000 year=2014 indicator=main_business_revenue",
            file=sys.stderr,
        )
        return 1
    try:
        result = trace(settings, table, keys_from_environment())
    except TraceError as exc:
        print(f"Trace refused: {exc}", file=sys.stderr)
        return 1
    print(report(result, table))
    return 0


def report_command(settings: Settings) -> int:
    from .report import DEFAULT_INDICATOR, write_report
    from .report.sections import ReportError
    from .settings import ComparisonPair

    values = {key: (os.environ.get(f"REPORT_{key}") or "").strip() for key in ("A", "B", "FROM", "TO", "INDICATOR")}
    if not all(values[key] for key in ("A", "B", "FROM", "TO")) or not (values["FROM"] + values["TO"]).isdigit():
        print(
            "Name two region groups and a span: make report A=yrd B=jjj FROM=2005 TO=2014 "
            "[INDICATOR=main_business_revenue]",
            file=sys.stderr,
        )
        return 1
    years_text = (os.environ.get("REPORT_YEARS") or "").replace(" ", "")
    years = tuple(int(y) for y in years_text.split(",") if y.isdigit())
    if len(years) != len([y for y in years_text.split(",") if y]) or not all(
        int(values["FROM"]) <= y <= int(values["TO"]) for y in years
    ):
        print(
            f"YEARS={years_text!r}: years between FROM and TO, comma-separated (e.g. YEARS=2005,2010,2014)",
            file=sys.stderr,
        )
        return 1
    pair = ComparisonPair(values["A"], values["B"], int(values["FROM"]), int(values["TO"]), years)
    try:
        files = write_report(
            settings.published_db,
            pair,
            values["INDICATOR"] or DEFAULT_INDICATOR,
            settings.comparison_reports_dir,
        )
    except ReportError as exc:
        print(f"Report refused: {exc}", file=sys.stderr)
        return 1
    if files.computed:
        print(files.computed)
    print(f"Wrote {files.html}\nWrote {files.workbook}")
    return 0


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes")


if __name__ == "__main__":
    raise SystemExit(main())
