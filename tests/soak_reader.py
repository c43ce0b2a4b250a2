"""A reader for the soak test (tests/test_soak.py): queries the published file in a loop until a
stop file appears (or a deadline passes), one JSON line per answer or error.

    python -m tests.soak_reader cli|library WAREHOUSE_DIR STOP_FILE OUT_FILE

`cli` runs `python -m orchestration.cli sql QUERY` per query, the path `make sql` takes; `library`
opens the file through `open_published` per query, as the other query tools do.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

# One statement reads the publication's run and the values that differ between publications: an
# answer whose run_id and values come from two publications matches no publication's answer.
QUERY = """
select m.run_id || '|' || f.value || '|' || l.lq || '|'
    || (t.row_count = (select count(*) from fct_industry_indicator)) as answer
from publication_manifest as m,
    (select value from fct_industry_indicator where province_code = '320000' and year = 2014
        and industry_code = '34' and indicator = 'main_business_revenue') as f,
    (select lq from mart_location_quotient where universe_code = 'yrd' and province_code = '320000'
        and year = 2014 and industry_code = '34' and indicator = 'main_business_revenue') as l,
    (select row_count from publication_table where table_name = 'fct_industry_indicator') as t
"""
ANSWER = re.compile(r"[0-9a-f-]{36}\|[^|\s]+\|[^|\s]+\|(?:true|false)")
DEADLINE_SECONDS = 900  # a bound, should the test die before creating the stop file
LINGER_SECONDS = 1.0  # keep reading the final publication a little after the stop file appears
# Between queries, per mode. Three readers querying flat out took most of a two-core machine (a `cli`
# query starts a Python process, a second of CPU) and made each refresh of the soak several times
# slower; paced, each reader still asks a few times a second (the cli one about once), so every
# publication and every swap is read many times over. The tight-loop reader of
# tests/test_bad_input_corpus.py reads across one refresh and one rollback at full speed.
PAUSE_SECONDS = {"cli": 0.5, "library": 0.2}


def cli_answer(warehouse_dir: Path) -> str:
    env = {**os.environ, "WAREHOUSE_DIR": str(warehouse_dir)}
    done = subprocess.run(
        [sys.executable, "-m", "orchestration.cli", "sql", QUERY],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    found = ANSWER.findall(done.stdout)
    if done.returncode != 0 or len(found) != 1:
        raise RuntimeError(f"exit {done.returncode}: {done.stderr.strip() or done.stdout.strip()}")
    return found[0]


def library_answer(warehouse_dir: Path) -> str:
    from orchestration.published_connection import open_published

    with open_published(warehouse_dir / "marts.duckdb") as con:
        rows = con.execute(QUERY).fetchall()
    if len(rows) != 1:
        raise RuntimeError(f"{len(rows)} rows")
    return rows[0][0]


def main(mode: str, warehouse_dir: str, stop_file: str, out_file: str) -> None:
    answer = {"cli": cli_answer, "library": library_answer}[mode]
    end = time.monotonic() + DEADLINE_SECONDS
    stop_at = None
    with open(out_file, "a", encoding="utf-8") as out:
        while time.monotonic() < end and (stop_at is None or time.monotonic() < stop_at):
            if stop_at is None and os.path.exists(stop_file):
                stop_at = time.monotonic() + LINGER_SECONDS
            try:
                line = {"answer": answer(Path(warehouse_dir))}
            except Exception as exc:  # every failure is counted: the soak asserts there are none
                line = {"error": repr(exc)}
            out.write(json.dumps(line) + "\n")
            out.flush()
            time.sleep(PAUSE_SECONDS[mode])


if __name__ == "__main__":
    main(*sys.argv[1:5])
