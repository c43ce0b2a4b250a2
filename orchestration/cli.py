"""Command-line entry points: build the warehouse (`make run`) and query it (`make sql`).

    python -m orchestration.cli build
    python -m orchestration.cli sql "select * from mart_location_quotient limit 5"
    python -m orchestration.cli sql            # interactive: one statement per line, empty line quits

`sql` opens the published file read-only with the DuckDB library of this environment; the DuckDB
1.5 command-line shell cannot open files written by DuckDB 2.0.
"""

from __future__ import annotations

import argparse
import sys
import time

from .settings import REPO_ROOT, Settings

EXAMPLE_QUERY = """\
select p.name_en, l.industry_code, i.name_en as industry, round(l.lq, 3) as lq
from mart_location_quotient l
join dim_province p using (province_code)
join dim_industry i using (industry_code)
where l.universe_code = 'yrd' and l.year = 2014 and l.province_code = '320000'
  and l.indicator = 'main_business_revenue'
order by l.lq desc
limit 5"""


def build(settings: Settings) -> int:
    from dagster import DagsterInstance, DagsterEventType

    from .definitions import build_definitions

    settings.export_to_environ()
    started = time.perf_counter()
    job = build_definitions(settings).resolve_job_def("refresh_warehouse")
    with DagsterInstance.get() as instance:
        # Step logs and tracebacks go to the run record (see `make ui`); the terminal gets a summary.
        quiet = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}
        result = job.execute_in_process(instance=instance, raise_on_error=False, run_config=quiet)
    if not result.success:
        print("\nThe warehouse was NOT refreshed; the published file was left as it was.", file=sys.stderr)
        for event in result.all_events:
            if event.event_type == DagsterEventType.STEP_FAILURE:
                error = event.step_failure_data.error
                message = error.message.strip() if error else "unknown error"
                message = message.removeprefix("dagster._core.definitions.events.Failure: ")
                print(f"  step {event.step_key} failed: {message.splitlines()[0]}", file=sys.stderr)
                if "dbt" in message and len(message.splitlines()) > 1:
                    print("    " + "\n    ".join(message.splitlines()[1:12]), file=sys.stderr)
        print_failed_expectations(settings, result.run_id)
        print_failed_test_rows(settings)
        return 1
    print(f"\nBuilt and published in {time.perf_counter() - started:.1f} s from {settings.raw_dir}")
    summarise(settings, result.run_id)
    if settings.raw_dir == (REPO_ROOT / "raw").resolve():
        print("\nNOTE: built from the SAMPLE extracts in raw/ (synthetic values, not official statistics).\n"
              "Build from real extracts with: make run RAW_DIR=../shared/data/yearbook")
    return 0


def print_failed_expectations(settings: Settings, run_id: str) -> None:
    """The blocking expectations that failed in this run, from the run's validation report."""
    import json

    directory = settings.warehouse_dir / "reports" / run_id
    for path in sorted(directory.glob("*.json")):
        section = json.loads(path.read_text(encoding="utf-8"))
        for r in section.get("results", []):
            if not r["success"] and r["severity"] == "error":
                print(f"\n  {section['title']}: {r['expectation']} on {r['column']} {r['kwargs']} failed for "
                      f"{r['unexpected_count']} of {r['element_count']} rows; e.g.", file=sys.stderr)
                for row in r["sample"][:3]:
                    print(f"    {row}", file=sys.stderr)
    if (directory / "index.html").exists():
        print(f"\nValidation report: {directory / 'index.html'}", file=sys.stderr)


def print_failed_test_rows(settings: Settings, limit: int = 10) -> None:
    """Show the rows behind dbt tests that store their failures (they name file and cell).
    Tests named warn_* are warnings: their rows were quarantined, not published."""
    import duckdb

    if not settings.build_db.exists():
        return
    try:
        con = duckdb.connect(str(settings.build_db), read_only=True)
    except duckdb.Error:
        return
    with con:
        tables = con.execute(
            "select table_name from information_schema.tables where table_schema = 'dbt_test__audit'"
        ).fetchall()
        for (table,) in tables:
            rows = con.execute(f'select * from dbt_test__audit."{table}" limit {limit}').df()
            if len(rows):
                kind = "Warning (withheld, see fct_quarantine)" if table.startswith("warn_") else "Failed check"
                print(f"\n{kind} {table} (first {limit} rows):", file=sys.stderr)
                print(rows.to_string(index=False), file=sys.stderr)


def summarise(settings: Settings, run_id: str) -> None:
    import duckdb

    with duckdb.connect(str(settings.published_db), read_only=True) as con:
        print(f"Published file: {settings.published_db}")
        report = settings.warehouse_dir / "reports" / run_id / "index.html"
        if report.exists():
            print(f"Validation report: {report}")
        withheld = con.execute("select scope, count(*) from fct_quarantine group by scope order by scope").fetchall()
        if withheld:
            print("Withheld by the quality policy (query fct_quarantine for reasons): "
                  + ", ".join(f"{n} {scope.replace('_', '-')}s" for scope, n in withheld))
        print(con.sql("select table_name, row_count from publication_table order by table_name"))
        print(con.sql(
            "select count(distinct source_file) as source_files, sum(n_values) as source_cells "
            "from publication_source_file"
        ))
        print("Example query (make sql Q=\"...\"):\n" + EXAMPLE_QUERY)
        print(con.sql(EXAMPLE_QUERY))


def sql(settings: Settings, statement: str | None) -> int:
    import duckdb

    if not settings.published_db.exists():
        print(f"No published warehouse at {settings.published_db}; run `make run` first.", file=sys.stderr)
        return 1
    with duckdb.connect(str(settings.published_db), read_only=True) as con:
        statements = [statement] if statement else _read_statements()
        for text in statements:
            try:
                relation = con.sql(text)
                if relation is not None:
                    relation.show(max_rows=200, max_width=200)
            except duckdb.Error as exc:
                print(f"SQL error: {exc}", file=sys.stderr)
                if statement:
                    return 1
    return 0


def _read_statements():
    interactive = sys.stdin.isatty()
    while True:
        try:
            line = input("sql> ") if interactive else sys.stdin.readline()
        except EOFError:
            return
        if not line.strip():
            if interactive or line == "":
                return
            continue
        yield line


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m orchestration.cli")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("build", help="ingest, build and publish the warehouse")
    query = sub.add_parser("sql", help="run SQL against the published file")
    query.add_argument("statement", nargs="?")
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    if args.command == "build":
        return build(settings)
    return sql(settings, args.statement)


if __name__ == "__main__":
    raise SystemExit(main())
