"""The bad-input corpus: malformed variants of the real extracts, made at test time (never
committed), each run through the real refresh against an already published warehouse.

For each: a clear error naming file, sheet, row and column (or a quarantine entry with its
reason), and a published file byte-for-byte as it was.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import openpyxl
import pytest

from orchestration.checks.report import sections
from orchestration.ingest.workbook import read_sheets
from orchestration.settings import REPO_ROOT

from .conftest import run_refresh

# A small real universe keeps each run short: the Yangtze River Delta plus Beijing's xlsx export.
CORPUS_FILES = ["上海.xls", "江苏.xls", "浙江.xls", "安徽.xls", "北京.xlsx"]


@pytest.fixture(scope="module")
def baseline(yearbook_dir, tmp_path_factory):
    """Real extracts copied to a scratch RAW_DIR, built and published once."""
    root = tmp_path_factory.mktemp("corpus_baseline")
    raw = root / "raw" / "wind-mbr"
    raw.mkdir(parents=True)
    for name in CORPUS_FILES:
        shutil.copy(yearbook_dir / "wind-mbr" / name, raw / name)
    # the concordance the 2002 -> 2011 crosswalk is derived from
    shutil.copytree(yearbook_dir / "classification", root / "raw" / "classification")
    result, settings = run_refresh(root / "raw", root / "warehouse")
    assert result.success
    return root


@pytest.fixture
def case(baseline, tmp_path):
    """A private copy of the baseline's raw files and published warehouse, to break."""
    shutil.copytree(baseline / "raw", tmp_path / "raw")
    shutil.copytree(baseline / "warehouse", tmp_path / "warehouse")
    return Case(tmp_path)


class Case:
    def __init__(self, root: Path):
        self.raw = root / "raw"
        self.wind = self.raw / "wind-mbr"
        self.warehouse = root / "warehouse"
        self.published = self.warehouse / "marts.duckdb"
        self.published_bytes = self.published.read_bytes()

    def as_rows(self, name: str) -> list[list]:
        """The cells of a real export, to rewrite as .xlsx (xlwt-free way to edit an .xls)."""
        return [list(row) for row in read_sheets(self.wind / name, name)[0].rows]

    def replace_with_xlsx(self, name: str, rows: list[list]) -> str:
        (self.wind / name).unlink()
        new_name = Path(name).stem + ".xlsx"
        book = openpyxl.Workbook()
        book.active.title = "Sheet1"
        for row in rows:
            book.active.append(row)
        book.save(self.wind / new_name)
        return f"wind-mbr/{new_name}"

    def refresh(self):
        result, _ = run_refresh(self.raw, self.warehouse)
        return result

    def failure_message(self, result) -> str:
        assert not result.success
        return "\n".join(e.step_failure_data.error.message for e in result.all_events if e.is_step_failure)

    def report(self, result) -> list[dict]:
        directory = self.warehouse / "reports" / result.run_id
        return sections(directory)

    def assert_published_unchanged(self):
        assert self.published.read_bytes() == self.published_bytes


def assert_names(message: str, *fragments: str) -> None:
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in:\n{message}"


def test_truncated_xlsx(case):
    data = (case.wind / "北京.xlsx").read_bytes()
    (case.wind / "北京.xlsx").write_bytes(data[: len(data) // 2])
    message = case.failure_message(case.refresh())
    assert_names(message, "wind-mbr/北京.xlsx", "cannot be opened as an Excel workbook")
    case.assert_published_unchanged()


def test_empty_file(case):
    (case.wind / "浙江.xls").write_bytes(b"")
    message = case.failure_message(case.refresh())
    assert_names(message, "wind-mbr/浙江.xls", "is empty")
    case.assert_published_unchanged()


def test_password_protected_workbook(case):
    # Excel's default read-only password is opened transparently (tests/test_yearbook_region_table);
    # any other password cannot be, and the user is told so.
    import io

    from msoffcrypto.format.ooxml import OOXMLFile

    plain = io.BytesIO((case.wind / "北京.xlsx").read_bytes())
    with open(case.wind / "北京.xlsx", "wb") as locked:
        OOXMLFile(plain).encrypt("a-private-password", locked)
    message = case.failure_message(case.refresh())
    assert_names(message, "wind-mbr/北京.xlsx", "password other than Excel's default read-only one",
                 "no readable copy of the same edition")
    case.assert_published_unchanged()


@pytest.mark.parametrize(
    "garble, hint",
    [
        (lambda s: s.encode("gbk").decode("utf-8", errors="replace"), "GBK-encoded text read as UTF-8"),
        (lambda s: s.encode("utf-8").decode("gbk", errors="replace"), "UTF-8 text read as GBK"),
    ],
)
def test_garbled_encoding(case, garble, hint):
    rows = case.as_rows("江苏.xls")
    rows[0] = [rows[0][0]] + [garble(h) for h in rows[0][1:]]
    name = case.replace_with_xlsx("江苏.xls", rows)
    message = case.failure_message(case.refresh())
    assert_names(message, name, "sheet 'Sheet1'", "row 1", "column B", hint)
    case.assert_published_unchanged()


def test_duplicated_header_row(case):
    rows = case.as_rows("浙江.xls")
    name = case.replace_with_xlsx("浙江.xls", [rows[0], rows[0], *rows[1:]])
    message = case.failure_message(case.refresh())
    assert_names(message, name, "row 2", "column A", "repeats the header row")
    case.assert_published_unchanged()


def test_unit_line_changed_to_yi_yuan(case):
    rows = case.as_rows("安徽.xls")
    unit_row = ["单位"] + ["亿元"] * (len(rows[0]) - 1)
    name = case.replace_with_xlsx("安徽.xls", [rows[0], unit_row, *rows[1:]])
    message = case.failure_message(case.refresh())
    assert_names(message, name, "row 2", "column B", "contradicts the source catalogue", "'万元'", "'亿元'")
    case.assert_published_unchanged()


def test_text_in_numeric_cell(case):
    rows = case.as_rows("上海.xls")
    rows[10][5] = "27,63l,500"  # a letter l for a digit 1
    name = case.replace_with_xlsx("上海.xls", rows)
    message = case.failure_message(case.refresh())
    assert_names(message, name, "row 11", "column F", "not a number", "27,63l,500")
    case.assert_published_unchanged()


def test_same_series_twice(case):
    rows = case.as_rows("江苏.xls")
    rows = [row + [row[5]] for row in rows]
    name = case.replace_with_xlsx("江苏.xls", rows)
    message = case.failure_message(case.refresh())
    assert_names(message, name, "row 1", "repeats a series (also in column F)")
    case.assert_published_unchanged()


def test_unknown_province_is_blocked_by_the_raw_suite(case):
    rows = case.as_rows("江苏.xls")
    rows[0] = [rows[0][0]] + [h.replace("江苏", "江蘇") for h in rows[0][1:]]
    name = case.replace_with_xlsx("江苏.xls", rows)
    result = case.refresh()
    assert_names(case.failure_message(result), "blocking asset check failed")
    failed = [r for section in case.report(result) for r in section["results"]
              if not r["success"] and r["severity"] == "error"]
    assert [(r["expectation"], r["column"]) for r in failed] == [("expect_column_values_to_be_in_set", "province_label")]
    sample = failed[0]["sample"][0]
    assert sample["source_file"] == name and sample["province_label"] == "江蘇" and sample["source_cell"]
    case.assert_published_unchanged()


def test_unknown_industry_label_is_blocked_by_dbt(case):
    rows = case.as_rows("浙江.xls")
    rows[0][3] = rows[0][3].rsplit(":", 1)[0] + ":量子纺织业"
    name = case.replace_with_xlsx("浙江.xls", rows)
    result = case.refresh()
    assert_names(case.failure_message(result), "assert_every_label_is_known")
    with duckdb.connect(str(case.warehouse / "build.duckdb"), read_only=True) as con:
        failures = con.execute("select * from dbt_test__audit.assert_every_label_is_known").df()
    assert set(failures["industry_label"]) == {"量子纺织业"}
    assert set(failures["source_file"]) == {name}
    assert "D2" in set(failures["source_cell"])
    case.assert_published_unchanged()


def test_missing_concordance_blocks_instead_of_dropping_2002_divisions(case):
    # Without the concordance there is no crosswalk, and every 2005-2010 division would vanish
    # from the facts; the run must stop and say which cells have no 2011 code.
    shutil.rmtree(case.raw / "classification")
    result = case.refresh()
    assert_names(case.failure_message(result), "assert_every_2002_division_has_a_crosswalk")
    with duckdb.connect(str(case.warehouse / "build.duckdb"), read_only=True) as con:
        failures = con.execute("select * from dbt_test__audit.assert_every_2002_division_has_a_crosswalk").df()
    assert "wind-mbr/江苏.xls" in set(failures["source_file"]) and len(failures) > 20
    case.assert_published_unchanged()


def test_negative_value_is_quarantined_and_the_rest_published(case):
    rows = case.as_rows("上海.xls")
    header, row_2014 = rows[0], next(r for r in rows if getattr(r[0], "year", None) == 2014)
    column = header.index("上海:主营业务收入:纺织业")
    row_2014[column] = -5000.0
    name = case.replace_with_xlsx("上海.xls", rows)
    result = case.refresh()
    assert result.success
    with duckdb.connect(str(case.published), read_only=True) as con:
        quarantined = con.execute(
            "select quarantine_reason, quarantine_detail, source_cell from fct_quarantine where scope = 'value'"
        ).fetchall()
        fact = con.execute("select value, value_flag from fct_industry_indicator "
                           "where province_code = '310000' and year = 2014 and industry_code = '17'").fetchone()
    cell = f"{name}!Sheet1!{openpyxl.utils.get_column_letter(column + 1)}{rows.index(row_2014) + 1}"
    assert ("negative_value", "value -0.5 亿元 is negative", cell) in quarantined
    assert fact == (None, "quarantined")


def test_years_in_another_order_give_the_same_facts(case):
    rows = case.as_rows("江苏.xls")
    case.replace_with_xlsx("江苏.xls", [rows[0], *reversed(rows[1:])])
    assert case.refresh().success
    query = ("select year, industry_code, value from fct_industry_indicator "
             "where province_code = '320000' order by year, industry_code")
    with duckdb.connect(str(case.published), read_only=True) as con:
        after = con.execute(query).fetchall()
    Path(case.published.with_suffix(".before")).write_bytes(case.published_bytes)
    with duckdb.connect(str(case.published.with_suffix(".before")), read_only=True) as con:
        before = con.execute(query).fetchall()
    assert after == before and len(after) > 300


def _descendant_running(session_id: int, needle: str) -> bool:
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if os.getsid(int(proc.name)) != session_id:
                continue
            if needle in (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace"):
                return True
        except (OSError, ProcessLookupError):
            continue
    return False


def test_run_killed_during_dbt_leaves_the_published_file_and_the_next_run_succeeds(case, tmp_path):
    env = {**os.environ, "RAW_DIR": str(case.raw), "WAREHOUSE_DIR": str(case.warehouse),
           "DAGSTER_HOME": str(tmp_path / "dagster_home")}
    (tmp_path / "dagster_home").mkdir()
    shutil.copy(REPO_ROOT / "dagster.yaml", tmp_path / "dagster_home" / "dagster.yaml")
    process = subprocess.Popen([sys.executable, "-m", "orchestration.cli", "build"], cwd=REPO_ROOT, env=env,
                               start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while not _descendant_running(process.pid, "dbt build") and time.monotonic() < deadline:
        assert process.poll() is None, "the refresh ended before dbt started"
        time.sleep(0.05)
    time.sleep(1.0)  # well inside dbt's run (it takes several seconds)
    assert _descendant_running(process.pid, "dbt build"), "dbt was not running when the kill came"
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    case.assert_published_unchanged()

    assert case.refresh().success
    with duckdb.connect(str(case.published), read_only=True) as con:
        assert con.execute("select count(*) from mart_location_quotient where universe_code = 'yrd'").fetchone()[0] > 0


READER = """
import os, sys, time, duckdb
path, stop_file = sys.argv[1], sys.argv[2]
errors, seen = 0, set()
end = time.monotonic() + 600  # a bound, should the test die before signalling
stop_at = None
while time.monotonic() < end and (stop_at is None or time.monotonic() < stop_at):
    if stop_at is None and os.path.exists(stop_file):
        stop_at = time.monotonic() + 1.0  # keep reading the new publication a little
    try:
        with duckdb.connect(path, read_only=True) as con:
            counts = dict(con.execute("select table_name, row_count from publication_table").fetchall())
            actual = con.execute("select count(*) from fct_industry_indicator").fetchone()[0]
            stamp = con.execute("select max(published_at) from publication_table").fetchone()[0]
            if actual != counts["fct_industry_indicator"]:
                errors += 1  # a half-published state
            seen.add(str(stamp))
    except Exception as exc:
        errors += 1
        print(repr(exc), file=sys.stderr)
print(errors, len(seen))
"""


def test_concurrent_reader_sees_no_error_during_a_refresh(case, tmp_path):
    stop_file = tmp_path / "refresh_done"
    reader = subprocess.Popen([sys.executable, "-c", READER, str(case.published), str(stop_file)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(1)
    assert case.refresh().success
    stop_file.touch()
    out, err = reader.communicate(timeout=120)
    errors, versions_seen = map(int, out.split())
    assert errors == 0, err
    assert versions_seen == 2  # the old publication, then the new one
