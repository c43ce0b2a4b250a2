"""The soak: readers query the published file continuously while, one after the other, five
refreshes publish, `make rollback` puts the previous publication back and a refresh from a broken
file is refused.

Three reader processes (tests/soak_reader.py): one runs `python -m orchestration.cli sql` per
query (the path `make sql` takes), two open the file through `open_published` per query. Each
refresh multiplies one cell (Jiangsu 2014, 通用设备制造业) of a copy of the samples by another
factor, so every publication has its own value and location quotient; each answer reads them and
the publication's run_id in one statement, and must equal the answer of the publication it names.

The first publication is a copy of the session's sample publication (tests/conftest.py); two
refreshes of the samples follow while the readers query, then the rollback and the refusal: the
test lasts about three times one refresh.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import openpyxl

from orchestration.settings import REPO_ROOT

from .conftest import copy_publication, record_outcome, run_refresh
from .soak_reader import QUERY

READERS = ("cli", "library", "library")
# Two refreshes: a publication replaced by a refresh, that one replaced in turn, then put back by the
# rollback; the readers cross each kind of swap (a refresh over the first publication, a refresh over
# a refresh's, a rollback) while querying. Each swap is the same single rename however many there
# are, so more cycles repeat a transition without reaching a new state; they only lengthened the test.
REFRESHES = 2


def scale_jiangsu_2014_general_equipment(raw: Path, factor: float) -> None:
    path = raw / "wind-mbr" / "江苏.xlsx"
    book = openpyxl.load_workbook(path)
    sheet = book.active
    column = next(c.column for c in sheet[1] if isinstance(c.value, str) and c.value.endswith(":通用设备制造业"))
    row = next(c.row for c in sheet["A"] if isinstance(c.value, dt.datetime) and c.value.year == 2014)
    cell = sheet.cell(row, column)
    cell.value = round(cell.value * factor, 1)
    book.save(path)


def published_answer(published: Path) -> str:
    with duckdb.connect(str(published), read_only=True) as con:
        return con.execute(QUERY).fetchone()[0]


def reader_lines(outputs: list[Path]) -> list[list[dict]]:
    return [
        [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.endswith("}")]
        if path.exists()
        else []
        for path in outputs
    ]


def wait_until(condition, what: str, readers: list[subprocess.Popen], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert all(r.poll() is None for r in readers), f"a reader ended before {what}"
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.05)


def test_readers_see_only_whole_publications_through_refreshes_a_rollback_and_a_refusal(sample_publication, tmp_path):
    raw, warehouse = tmp_path / "raw", tmp_path / "warehouse"
    shutil.copytree(REPO_ROOT / "raw", raw)
    published = copy_publication(sample_publication, warehouse).published_db
    first = published_answer(published)
    made = {first.split("|", 1)[0]: first}  # run_id -> the answer of that publication

    stop_file = tmp_path / "stop"
    outputs = [tmp_path / f"reader_{i}_{mode}.jsonl" for i, mode in enumerate(READERS)]
    readers = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.soak_reader", mode, str(warehouse), str(stop_file), str(out)],
            cwd=REPO_ROOT,
            stdout=subprocess.DEVNULL,
            stderr=open(out.with_suffix(".stderr"), "w"),  # noqa: SIM115 (closed with the process)
        )
        for mode, out in zip(READERS, outputs, strict=True)
    ]

    def seen(run_id: str) -> bool:
        return any(line.get("answer", "").startswith(run_id) for lines in reader_lines(outputs) for line in lines)

    try:
        wait_until(lambda: all(reader_lines(outputs)), "every reader's first answer", readers)
        for k in range(1, REFRESHES + 1):
            scale_jiangsu_2014_general_equipment(raw, 1 + k / 1000)
            result, _ = run_refresh(raw, warehouse)
            assert result.success, [e.message for e in result.all_events if e.is_failure]
            made[result.run_id] = published_answer(published)
            # the next step starts once a reader has queried this publication
            wait_until(lambda run_id=result.run_id: seen(run_id), f"a reader to see refresh {k}", readers)
        runs = list(made)

        rollback = subprocess.run(
            [sys.executable, "-m", "orchestration.cli", "rollback"],
            cwd=REPO_ROOT,
            env={**os.environ, "WAREHOUSE_DIR": str(warehouse), "RAW_DIR": str(raw)},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert rollback.returncode == 0, rollback.stderr
        assert published_answer(published) == made[runs[-2]]  # the previous publication, whole
        rolled_back_at = sum(map(len, reader_lines(outputs)))
        wait_until(
            lambda: any(
                line.get("answer", "").startswith(runs[-2])
                for line in [x for lines in reader_lines(outputs) for x in lines][rolled_back_at:]
            ),
            "a reader to see the rolled-back publication",
            readers,
        )

        before = published.read_bytes()
        beijing = raw / "wind-mbr" / "北京.xlsx"
        beijing.write_bytes(beijing.read_bytes()[: beijing.stat().st_size // 2])
        refused, _ = run_refresh(raw, warehouse)
        assert not refused.success
        failures = "\n".join(e.step_failure_data.error.message for e in refused.all_events if e.is_step_failure)
        assert "wind-mbr/北京.xlsx" in failures
        assert published.read_bytes() == before
    finally:
        stop_file.touch()
        for reader in readers:
            try:
                reader.wait(timeout=120)
            except subprocess.TimeoutExpired:
                reader.kill()
                reader.wait()

    lines = reader_lines(outputs)
    answers = [line["answer"] for per_reader in lines for line in per_reader if "answer" in line]
    errors = [line["error"] for per_reader in lines for line in per_reader if "error" in line]
    seen_runs = {answer.split("|", 1)[0] for answer in answers}
    counts = (
        f"{len(answers) + len(errors)} queries by {len(READERS)} readers "
        f"({', '.join(f'{mode} {len(per)}' for mode, per in zip(READERS, lines, strict=True))}), "
        f"{len(errors)} errors, {len(seen_runs)} publications seen of {len(made)} made"
    )
    print(f"soak: {counts}")
    assert not errors, errors[:5]
    # every publication distinguishable from the others by its answer, so a mixed answer is caught
    assert len(set(made.values())) == len(made)
    inconsistent = [a for a in answers if made.get(a.split("|", 1)[0]) != a]
    assert not inconsistent, inconsistent[:5]
    assert all(answer.endswith("|true") for answer in answers)  # row counts agree with publication_table
    assert seen_runs == set(made)
    assert all(len(per_reader) > 10 for per_reader in lines)
    record_outcome(f"soak: readers during {REFRESHES} refreshes, a rollback and a refused refresh", counts)
