"""The bad-input corpus: malformed variants of the real extracts, made at test time (never
committed), against an already published warehouse.

For each: a clear error naming file, sheet, row and column (or a quarantine entry with its
reason), and a published file byte-for-byte as it was.

A refresh of the corpus takes tens of seconds, so scenarios share the work where they cannot
interfere:
- a file a parser refuses is judged by the ingest layer's `read_family`, the function every ingest
  step runs, which gives the sentence the run shows (`rejected`); one such file goes through the
  whole refresh (test_truncated_xlsx), showing that a refused input leaves the published file as it
  was, whichever parser refused it;
- faults planted in different files and reported by the same stage of one run (the dbt tests, the
  publication guard, the quarantine) share one broken copy and one refresh, a module fixture: each
  test asserts its own cause, rows or message on the shared result. Faults are never grouped with
  one that stops the run earlier (a rejected input stops before dbt, a failed dbt test before the
  guard), nor with one whose counts they would change;
- the rest need a refresh of their own (a run killed, two at once, another RAW_DIR, an empty one).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import openpyxl
import pytest

from orchestration.checks.report import sections
from orchestration.cli import failure_causes
from orchestration.ingest.assets import RejectedInput, read_family
from orchestration.ingest.catalogue import Catalogue
from orchestration.ingest.cells import normalise_label
from orchestration.ingest.workbook import read_sheets
from orchestration.publication_guard import compare_with_publication
from orchestration.settings import REPO_ROOT

from .conftest import record_outcome, run_refresh
from .webserver_client import INSTANCE_YAML

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
    result, _ = run_refresh(root / "raw", root / "warehouse")
    assert result.success
    shutil.copytree(root / "raw", root / "pristine_raw")
    return root


def new_case(baseline: Path, root: Path) -> Case:
    """A private copy of the baseline's published warehouse, and the baseline's raw files restored
    in the same directory the publication was built from (a refresh from another directory is
    refused: test_samples_are_not_published_over_the_real_extracts), to break."""
    shutil.rmtree(baseline / "raw")
    shutil.copytree(baseline / "pristine_raw", baseline / "raw", symlinks=True)
    shutil.copytree(baseline / "warehouse", root / "warehouse")
    return Case(root, baseline / "raw")


@pytest.fixture
def case(baseline, tmp_path):
    return new_case(baseline, tmp_path)


@pytest.fixture
def raw_files(baseline, tmp_path):
    """A copy of the baseline's raw files, for a parser to refuse (no refresh, no warehouse)."""
    shutil.copytree(baseline / "pristine_raw", tmp_path / "raw", symlinks=True)
    return RawFiles(tmp_path / "raw")


def rejected(raw: Path) -> str:
    """What the refresh's ingest steps say of `raw`: each source family's step runs read_family and
    fails with its RejectedInput, whose message is the step's failure as the run shows it."""
    messages = []
    for family in Catalogue.load().families.values():
        try:
            read_family(family, raw)
        except RejectedInput as exc:
            messages.append(str(exc))
    assert messages, f"no ingest step refuses {raw}"
    return "\n".join(messages)


class RawFiles:
    def __init__(self, raw: Path):
        self.raw = raw
        self.wind = self.raw / "wind-mbr"

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

    def wind_rows(self, name: str) -> tuple[list[list], int]:
        """The export's cells, and the index of its 2014 row."""
        rows = self.as_rows(name)
        return rows, next(i for i, r in enumerate(rows) if getattr(r[0], "year", None) == 2014)


class Case(RawFiles):
    def __init__(self, root: Path, raw: Path):
        super().__init__(raw)
        self.warehouse = root / "warehouse"
        self.published = self.warehouse / "marts.duckdb"
        self.published_bytes = self.published.read_bytes()

    def refresh(self, allow_changes: bool = False, full: bool = False):
        result, _ = run_refresh(self.raw, self.warehouse, allow_changes=allow_changes, full=full)
        return result

    def published_changed(self) -> bool:
        return self.published.read_bytes() != self.published_bytes

    def failure_message(self, result) -> str:
        assert not result.success
        return "\n".join(e.step_failure_data.error.message for e in result.all_events if e.is_step_failure)

    def report(self, result) -> list[dict]:
        directory = self.warehouse / "reports" / result.run_id
        return sections(directory)

    def assert_published_unchanged(self):
        assert self.published.read_bytes() == self.published_bytes


@dataclass
class Shared:
    """One broken copy refreshed once for several scenarios; `planted` holds what each planted."""

    case: Case
    result: object
    planted: dict = field(default_factory=dict)


def shared_case(baseline: Path, tmp_path_factory, name: str) -> Case:
    return new_case(baseline, tmp_path_factory.mktemp(name))


def start_reader(published: Path, stop_file: Path) -> subprocess.Popen:
    """A process querying the published file (READER) until stop_file exists, once it has read once."""
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(published), str(stop_file)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    wait_for(lambda: Path(f"{stop_file}.ready").exists(), "the reader's first query", reader)
    return reader


def wait_for(condition, what: str, process: subprocess.Popen, timeout: float = 120) -> None:
    """Wait until `condition()` holds, polling; fail if `process` ends first or time runs out."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert process.poll() is None, f"the process ended before {what}"
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.02)


def assert_names(message: str, *fragments: str) -> None:
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in:\n{message}"


def test_truncated_xlsx(case):
    data = (case.wind / "北京.xlsx").read_bytes()
    (case.wind / "北京.xlsx").write_bytes(data[: len(data) // 2])
    message = case.failure_message(case.refresh())
    assert_names(message, "wind-mbr/北京.xlsx", "cannot be opened as an Excel workbook")
    case.assert_published_unchanged()


def test_empty_file(raw_files):
    (raw_files.wind / "浙江.xls").write_bytes(b"")
    message = rejected(raw_files.raw)
    assert_names(message, "wind-mbr/浙江.xls", "is empty")


def test_password_protected_workbook(raw_files):
    # Excel's default read-only password is opened transparently (tests/test_yearbook_region_table);
    # any other password cannot be, and the user is told so.
    import io

    from msoffcrypto.format.ooxml import OOXMLFile

    plain = io.BytesIO((raw_files.wind / "北京.xlsx").read_bytes())
    with open(raw_files.wind / "北京.xlsx", "wb") as locked:
        OOXMLFile(plain).encrypt("a-private-password", locked)
    message = rejected(raw_files.raw)
    assert_names(
        message,
        "wind-mbr/北京.xlsx",
        "password other than Excel's default read-only one",
        "no readable copy of the same edition",
    )


@pytest.mark.parametrize(
    "garble, hint",
    [
        (lambda s: s.encode("gbk").decode("utf-8", errors="replace"), "GBK-encoded text read as UTF-8"),
        (lambda s: s.encode("utf-8").decode("gbk", errors="replace"), "UTF-8 text read as GBK"),
    ],
)
def test_garbled_encoding(raw_files, garble, hint):
    rows = raw_files.as_rows("江苏.xls")
    rows[0] = [rows[0][0]] + [garble(h) for h in rows[0][1:]]
    name = raw_files.replace_with_xlsx("江苏.xls", rows)
    message = rejected(raw_files.raw)
    assert_names(message, name, "sheet 'Sheet1'", "row 1", "column B", hint)


def test_duplicated_header_row(raw_files):
    rows = raw_files.as_rows("浙江.xls")
    name = raw_files.replace_with_xlsx("浙江.xls", [rows[0], rows[0], *rows[1:]])
    message = rejected(raw_files.raw)
    assert_names(message, name, "row 2", "column A", "repeats the header row")


def test_unit_line_changed_to_yi_yuan(raw_files):
    rows = raw_files.as_rows("安徽.xls")
    unit_row = ["单位"] + ["亿元"] * (len(rows[0]) - 1)
    name = raw_files.replace_with_xlsx("安徽.xls", [rows[0], unit_row, *rows[1:]])
    message = rejected(raw_files.raw)
    assert_names(message, name, "row 2", "column B", "contradicts the source catalogue", "'万元'", "'亿元'")


def test_text_in_numeric_cell(raw_files):
    rows = raw_files.as_rows("上海.xls")
    rows[10][5] = "27,63l,500"  # a letter l for a digit 1
    name = raw_files.replace_with_xlsx("上海.xls", rows)
    message = rejected(raw_files.raw)
    assert_names(message, name, "row 11", "column F", "not a number", "27,63l,500")


def test_same_series_twice(raw_files):
    rows = raw_files.as_rows("江苏.xls")
    rows = [[*row, row[5]] for row in rows]
    name = raw_files.replace_with_xlsx("江苏.xls", rows)
    message = rejected(raw_files.raw)
    assert_names(message, name, "row 1", "repeats a series (also in column F)")


# -- failed dbt tests: every dbt test runs and reports, so faults caught by different tests, or by the
# label test in different files, share a refresh. A failed blocking test skips the models downstream
# of it and their tests, so the missing concordance (whose crosswalk test is downstream of the label
# test) has a refresh of its own; a wrong header label is not grouped with another label fault,
# whose cells would change the counts its message states.


def plant_unknown_province(case) -> str:
    rows = case.as_rows("江苏.xls")
    rows[0] = [rows[0][0]] + [h.replace("江苏", "江蘇") for h in rows[0][1:]]
    case.replace_with_xlsx("江苏.xls", rows)
    # the series' province must agree with the file name (test_series_of_another_province_...), so
    # the file is named like the unknown spelling: the seeds' province list is what blocks it, in
    # the one rule every province and label goes through (dbt assert_every_label_is_known)
    (case.wind / "江苏.xlsx").rename(case.wind / "江蘇.xlsx")
    return "wind-mbr/江蘇.xlsx"


def plant_unknown_industry_label(case) -> str:
    rows = case.as_rows("浙江.xls")
    rows[0][3] = rows[0][3].rsplit(":", 1)[0] + ":量子纺织业"
    return case.replace_with_xlsx("浙江.xls", rows)


@pytest.fixture(scope="module")
def unknown_labels(baseline, tmp_path_factory) -> Shared:
    """An unknown province (Jiangsu's file) and an unknown industry label (Zhejiang's), one refresh.
    Renaming Jiangsu's file takes a file of the publication away, which the file list refuses before
    parsing unless the change is allowed: allowed here, so the labels reach the dbt test."""
    case = shared_case(baseline, tmp_path_factory, "unknown_labels")
    planted = {"province": plant_unknown_province(case), "industry": plant_unknown_industry_label(case)}
    return Shared(case, case.refresh(allow_changes=True), planted)


def label_failures(shared: Shared, name: str):
    """The failing rows of dbt's label test in file `name`; every failing row is in a file one of the
    refresh's scenarios planted a label in."""
    with duckdb.connect(str(shared.case.warehouse / "build.duckdb"), read_only=True) as con:
        failures = con.execute("select * from dbt_test__audit.assert_every_label_is_known").df()
    assert set(failures["source_file"]) == set(shared.planted.values())
    return failures[failures["source_file"] == name]


def test_unknown_province_is_blocked_with_its_cells_named(unknown_labels):
    case, result, name = unknown_labels.case, unknown_labels.result, unknown_labels.planted["province"]
    assert_names(case.failure_message(result), "assert_every_label_is_known")
    failures = label_failures(unknown_labels, name)
    assert set(failures["province_label"]) == {"江蘇"}
    assert set(failures["source_file"]) == {name}
    assert failures["label_cell"].str.fullmatch(r"[A-Z]+1").all()  # the header cells
    assert failures["problem"].str.contains("names the province '江蘇', which no seed knows").all()
    assert failures["problem"].str.contains("add it to seeds/province_alias.csv").all()
    case.assert_published_unchanged()


def test_unknown_industry_label_is_blocked_by_dbt(unknown_labels):
    case, result, name = unknown_labels.case, unknown_labels.result, unknown_labels.planted["industry"]
    assert_names(case.failure_message(result), "assert_every_label_is_known")
    failures = label_failures(unknown_labels, name)
    assert set(failures["industry_label"]) == {"量子纺织业"}
    assert set(failures["source_file"]) == {name}
    assert list(failures["label_cell"]) == ["D1"]
    case.assert_published_unchanged()


def plant_wrong_header_labels(case) -> None:
    book = openpyxl.load_workbook(case.wind / "北京.xlsx")
    assert book.active["AE1"].value.strip() == "汽车制造业" and book.active["AC1"].value.strip() == "通用设备制造业"
    book.active["AE1"] = "汽车制造亚"  # a typo
    book.active["AC1"] = "通用设备制造"  # a short name, as 汽车制造 is in the Guangxi export
    book.save(case.wind / "北京.xlsx")


def plant_hightech_edition_missing_a_region(case, yearbook_dir) -> None:
    # Fujian's row deleted from both copies of the 2014 edition (the xls copy saved as xlsx)
    tables = case.raw / "hightech" / "yearbook-tables"
    tables.mkdir(parents=True)
    for source, target in (("raw-2014.xlsx", "raw-2014.xlsx"), ("raw-2014.xls", "raw-2014-copy.xlsx")):
        path = yearbook_dir / "hightech" / "yearbook-tables" / source
        rows = [list(row) for row in read_sheets(path, source)[0].rows]
        fujian = [row for row in rows if row and isinstance(row[0], str) and normalise_label(row[0]) == "福建"]
        assert len(fujian) == 1 and float(fujian[0][2]) == 796  # enterprises (企业数) in 2014
        book = openpyxl.Workbook()
        for row in rows:
            if row not in fujian:
                book.active.append(row)
        book.save(tables / target)


@pytest.fixture(scope="module")
def wrong_header_and_hightech_gap(baseline, yearbook_dir, tmp_path_factory) -> Shared:
    """Two header labels of Beijing's export mistyped, and a high-tech edition missing a region: two
    dbt tests, one refresh (allow_changes: the high-tech tables are a new source family)."""
    case = shared_case(baseline, tmp_path_factory, "wrong_header_and_hightech_gap")
    plant_wrong_header_labels(case)
    plant_hightech_edition_missing_a_region(case, yearbook_dir)
    return Shared(case, case.refresh(allow_changes=True))


def test_a_wrong_header_label_names_its_header_cell_and_the_fix_in_order(wrong_header_and_hightech_gap):
    """A division label changed in a header cell is one cell to correct: the failure names the
    file, sheet, header cell and label (not every value cell below it), offers correcting the file
    first, and offers a seed variant only for a genuine variant, never for a typo."""
    case, result = wrong_header_and_hightech_gap.case, wrong_header_and_hightech_gap.result
    message = case.failure_message(result)
    typo = next(line for line in message.splitlines() if "AE1" in line)
    assert_names(
        typo,
        "header cell AE1 of wind-mbr/北京.xlsx (sheet Sheet1) reads the industry label '汽车制造亚'",
        "within two characters of the known label '汽车制造业' (likely a typo",
        "correct the header cell in the file",
    )
    assert "add it to seeds" not in typo
    variant = next(line for line in message.splitlines() if "AC1" in line)
    assert_names(variant, "'通用设备制造'", "a spelling of the known label '通用设备制造业'")
    assert variant.index("correct the header cell") < variant.index("seeds/industry_label_variant.csv")
    assert "AE2" not in message and "AC2" not in message
    assert "failed for 2 header cells (22 value cells below)" in message
    with duckdb.connect(str(case.warehouse / "build.duckdb"), read_only=True) as con:
        failures = con.execute("select * from dbt_test__audit.assert_every_label_is_known order by label_cell").df()
    assert list(failures["label_cell"]) == ["AC1", "AE1"]
    assert list(failures["value_cells"]) == [11, 11]
    assert list(failures["first_value_cell"]) == ["AC2", "AE2"]
    # the validation report: counts with their denominators, never "of None"
    dbt_tests = next(s for s in case.report(result) if s["title"].startswith("dbt tests"))
    label_test = next(r for r in dbt_tests["results"] if r["expectation"] == "assert_every_label_is_known")
    assert (label_test["unexpected_count"], label_test["value_cells"]) == (2, 22)
    page = (case.warehouse / "reports" / result.run_id / "index.html").read_text(encoding="utf-8")
    assert "of None" not in page and "2 header cells (22 value cells below)" in page
    case.assert_published_unchanged()


def test_missing_concordance_blocks_instead_of_dropping_2002_divisions(case):
    # Without the concordance there is no crosswalk, and every 2005-2010 division would vanish
    # from the facts; the run must stop and say which cells have no 2011 code.
    shutil.rmtree(case.raw / "classification")
    # allowed: a source family emptied is otherwise refused from the file list, before dbt
    result = case.refresh(allow_changes=True)
    assert_names(case.failure_message(result), "assert_every_2002_division_has_a_crosswalk")
    with duckdb.connect(str(case.warehouse / "build.duckdb"), read_only=True) as con:
        failures = con.execute("select * from dbt_test__audit.assert_every_2002_division_has_a_crosswalk").df()
    assert "wind-mbr/江苏.xls" in set(failures["source_file"]) and len(failures) > 20
    case.assert_published_unchanged()


# -- published, with what the quality policy withholds: faults in different provinces, each withheld
# alone, share one refresh (allow_changes off: a few withheld values are no change to refuse), and a
# reader queries the published file throughout it.


def plant_negative_value(case) -> str:
    rows = case.as_rows("上海.xls")
    header, row_2014 = rows[0], next(r for r in rows if getattr(r[0], "year", None) == 2014)
    column = header.index("上海:主营业务收入:纺织业")
    row_2014[column] = -5000.0
    name = case.replace_with_xlsx("上海.xls", rows)
    return f"{name}!Sheet1!{openpyxl.utils.get_column_letter(column + 1)}{rows.index(row_2014) + 1}"


def plant_zero_in_a_material_series(case) -> None:
    rows, r = case.wind_rows("江苏.xls")
    column = rows[0].index("江苏:主营业务收入:通信设备、计算机及其他电子设备制造业")
    assert rows[r][column] > 1e8  # 万元: more than 10,000 亿元
    rows[r][column] = 0
    case.replace_with_xlsx("江苏.xls", rows)


def plant_one_keyed_in_cell(case) -> str:
    # Zhejiang 2012 化学原料及化学制品制造业 (division 26) typed ten times too large: 4,966.13 亿元
    # becomes 49,661.3. Against 2011 (4,605.97) that is 10.8x, against 2013 (5,722.0) 8.7x: below the
    # 10x jump rule on one side. It alone makes the divisions exceed the manufacturing total.
    rows, _ = case.wind_rows("浙江.xls")
    column = rows[0].index("浙江:主营业务收入:化学原料及化学制品制造业")
    r = next(i for i, row in enumerate(rows) if getattr(row[0], "year", None) == 2012)
    assert rows[r][column] == 49661300.0  # 万元
    rows[r][column] = 496613000.0
    name = case.replace_with_xlsx("浙江.xls", rows)
    return f"{name}!Sheet1!{openpyxl.utils.get_column_letter(column + 1)}{r + 1}"


def plant_years_in_another_order(case) -> None:
    # Anhui's file: Jiangsu's, reordered in an earlier version of this test, carries the zero above
    rows = case.as_rows("安徽.xls")
    case.replace_with_xlsx("安徽.xls", [rows[0], *reversed(rows[1:])])


@pytest.fixture(scope="module")
def quarantines(baseline, tmp_path_factory) -> Shared:
    """A negative value (Shanghai), a zero in a material series (Jiangsu), one keyed-in cell
    (Zhejiang) and Anhui's years in another order, published by one refresh while a reader queries."""
    case = shared_case(baseline, tmp_path_factory, "quarantines")
    planted = {"negative": plant_negative_value(case), "keyed_in": plant_one_keyed_in_cell(case)}
    plant_zero_in_a_material_series(case)
    plant_years_in_another_order(case)
    stop_file = case.warehouse.parent / "refresh_done"
    reader = start_reader(case.published, stop_file)
    result = case.refresh()
    stop_file.touch()
    planted["reader"] = reader.communicate(timeout=120)
    return Shared(case, result, planted)


def test_negative_value_is_quarantined_and_the_rest_published(quarantines):
    case, result, cell = quarantines.case, quarantines.result, quarantines.planted["negative"]
    assert result.success
    with duckdb.connect(str(case.published), read_only=True) as con:
        quarantined = con.execute(
            "select quarantine_reason, quarantine_detail, source_cell from fct_quarantine where scope = 'value'"
        ).fetchall()
        fact = con.execute(
            "select value, value_flag from fct_industry_indicator "
            "where province_code = '310000' and year = 2014 and industry_code = '17'"
        ).fetchone()
    assert ("negative_value", "value -0.5 亿元 is negative", cell) in quarantined
    assert fact == (None, "quarantined")


def test_the_file_list_says_what_changed_since_the_publication(quarantines):
    """raw/file_list, the run's first step: the files by family and, by content, what changed. Each
    of the four planted files was rewritten as .xlsx, so the .xls it replaces is removed."""
    (materialization,) = quarantines.result.asset_materializations_for_node("raw__file_list")
    metadata = {key: getattr(value, "value", value) for key, value in materialization.metadata.items()}
    provinces = ["上海", "安徽", "江苏", "浙江"]  # in code-point order, as listed
    assert metadata["changed_since_publication"] == (
        "4 added: " + ", ".join(f"wind-mbr/{p}.xlsx" for p in provinces) + "; "
        "4 removed: " + ", ".join(f"wind-mbr/{p}.xls" for p in provinces)
    )
    assert "- wind_mbr: 5" in metadata["files_by_family"].splitlines()


def test_years_in_another_order_give_the_same_facts(quarantines, tmp_path):
    case = quarantines.case
    assert quarantines.result.success
    query = (
        "select year, industry_code, value from fct_industry_indicator "
        "where province_code = '340000' order by year, industry_code"
    )
    with duckdb.connect(str(case.published), read_only=True) as con:
        after = con.execute(query).fetchall()
    (tmp_path / "before.duckdb").write_bytes(case.published_bytes)
    with duckdb.connect(str(tmp_path / "before.duckdb"), read_only=True) as con:
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
    env = {
        **os.environ,
        "RAW_DIR": str(case.raw),
        "WAREHOUSE_DIR": str(case.warehouse),
        "DAGSTER_HOME": str(tmp_path / "dagster_home"),
        "FULL": "1",
    }  # nothing changed: rebuild anyway
    (tmp_path / "dagster_home").mkdir()
    shutil.copy(INSTANCE_YAML, tmp_path / "dagster_home" / "dagster.yaml")
    process = subprocess.Popen(
        [sys.executable, "-m", "orchestration.cli", "build"],
        cwd=REPO_ROOT,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    build_db = case.warehouse / "build.duckdb"
    before = build_db.stat().st_mtime_ns
    # dagster-dbt runs `dbt build` through the fork server's client (orchestration/dbt_forkserver.py)
    dbt_build = "dbt_forkserver.py build"
    wait_for(lambda: _descendant_running(process.pid, dbt_build), "dbt to start", process)
    # killed while dbt is writing the build database, not before its first statement
    wait_for(
        lambda: build_db.stat().st_mtime_ns != before or build_db.with_suffix(".duckdb.wal").exists(),
        "dbt to write the build database",
        process,
    )
    assert _descendant_running(process.pid, dbt_build), "dbt was not running when the kill came"
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
        open(stop_file + ".ready", "a").close()  # the test starts the refresh once this exists
    except Exception as exc:
        errors += 1
        print(repr(exc), file=sys.stderr)
print(errors, len(seen))
"""


def test_concurrent_reader_sees_no_error_during_a_refresh(quarantines):
    # the reader queried the published file from before the refresh began until after it published
    assert quarantines.result.success
    out, err = quarantines.planted["reader"]
    errors, versions_seen = map(int, out.split())
    assert errors == 0, err
    assert versions_seen == 2  # the old publication, then the new one


# --- issue 14: inputs and operations that used to publish wrong or incomplete numbers -------------
# Each case records its outcome class for the summary table printed at the end of the run.


def refused(case, result, *fragments, scenario: str) -> str:
    message = case.failure_message(result)
    assert_names(message, *fragments)
    case.assert_published_unchanged()
    record_outcome(scenario, "refused, published file byte-identical")
    return message


def rejected_by_ingest(raw_files, *fragments, scenario: str) -> str:
    """A file the ingest step refuses (`rejected`); test_truncated_xlsx runs one through the refresh."""
    message = rejected(raw_files.raw)
    assert_names(message, *fragments)
    record_outcome(scenario, "rejected by the ingest step, naming the file")
    return message


def test_empty_raw_dir_never_publishes(case, tmp_path):
    shutil.rmtree(case.raw)
    case.raw.mkdir()
    result = case.refresh()
    refused(case, result, "yielded no source file", "never published", scenario="empty RAW_DIR")
    assert started_steps(result) == ["raw__file_list"]  # refused before any file is parsed
    # not even with allow_changes, and not as a first publication either: one refresh of both (with
    # nothing published to compare with and the changes allowed, only the empty-build rule is left)
    result, settings = run_refresh(case.raw, tmp_path / "fresh_warehouse", allow_changes=True)
    assert not result.success and not settings.published_db.exists()
    assert_names(case.failure_message(result), "yielded no source file", "never published")
    assert started_steps(result) == ["raw__file_list"]


def test_samples_are_not_published_over_the_real_extracts(case):
    result, _ = run_refresh(REPO_ROOT / "raw", case.warehouse)
    message = refused(
        case,
        result,
        f"built from {case.raw}",
        f"this refresh read {REPO_ROOT / 'raw'}",
        "allow_changes",
        scenario="another RAW_DIR (samples over real data)",
    )
    assert "source file of the current publication is gone" in message  # the real concordance
    assert started_steps(result) == ["raw__file_list"]
    # asked for explicitly, it is published, and the manifest says from where
    result, _ = run_refresh(REPO_ROOT / "raw", case.warehouse, allow_changes=True)
    assert result.success and case.published_changed()
    with duckdb.connect(str(case.published), read_only=True) as con:
        manifest = json.loads(con.execute("select manifest from publication_manifest").fetchone()[0])
    assert manifest["raw_dir"] == str(REPO_ROOT / "raw")
    assert any("this refresh read" in change for change in manifest["allowed_changes"])


def test_bare_name_export_saved_under_another_provinces_name(implausible):
    # plant_bare_name_export_under_another_name: Beijing's numbers saved as Zhejiang's
    message = refused(
        implausible.case,
        implausible.result,
        "Provinces 110000 and 330000 have identical",
        "wind-mbr/北京.xlsx",
        "wind-mbr/浙江.xlsx",
        "saved under the other's file name",
        scenario="bare-name export under another province's name",
    )
    assert "allow_changes" not in message.split("Nothing was published")[0]


def test_the_same_export_saved_twice(raw_files):
    (raw_files.wind / "浙江.xls").unlink()
    shutil.copy(raw_files.wind / "北京.xlsx", raw_files.wind / "浙江.xlsx")
    rejected_by_ingest(
        raw_files,
        "wind-mbr/浙江.xlsx",
        "is a byte-for-byte copy of wind-mbr/北京.xlsx",
        scenario="one export saved under two province names",
    )


def test_series_of_another_province_than_the_file_name(raw_files):
    rows = raw_files.as_rows("江苏.xls")
    (raw_files.wind / "安徽.xls").unlink()
    name = raw_files.replace_with_xlsx("江苏.xls", rows)
    (raw_files.raw / name).rename(raw_files.wind / "安徽.xlsx")
    rejected_by_ingest(
        raw_files,
        "wind-mbr/安徽.xlsx",
        "row 1",
        "column B",
        "names a province in its series that is not the province in its file name",
        "江苏:主营业务收入:合计",
        scenario="full series names of another province",
    )


@pytest.mark.parametrize("text", ["nan", "NaN", "inf", "-Infinity", "1_000"])
def test_nan_and_inf_text_is_not_a_number(raw_files, text):
    rows, r = raw_files.wind_rows("上海.xls")
    rows[r][3] = text
    name = raw_files.replace_with_xlsx("上海.xls", rows)
    rejected_by_ingest(
        raw_files,
        name,
        f"row {r + 1}",
        "column D",
        "not a number",
        repr(text),
        scenario=f"text {text!r} in a numeric cell",
    )


def test_formula_cell_without_a_stored_result(raw_files):
    rows, r = raw_files.wind_rows("浙江.xls")
    name = raw_files.replace_with_xlsx("浙江.xls", rows)
    book = openpyxl.load_workbook(raw_files.raw / name)
    book.active.cell(row=r + 1, column=5).value = f"=D{r + 1}*2"  # openpyxl stores no result
    book.save(raw_files.raw / name)
    rejected_by_ingest(
        raw_files,
        name,
        "formulas without a stored result",
        f"E{r + 1}",
        scenario="formula cell without a cached value",
    )


def test_zero_in_a_material_series_is_quarantined(quarantines):
    case = quarantines.case
    assert quarantines.result.success
    with duckdb.connect(str(case.published), read_only=True) as con:
        row = con.execute(
            "select quarantine_reason, quarantine_detail from fct_quarantine "
            "where province_code = '320000' and year = 2014 and scope = 'value'"
        ).fetchone()
        fact = con.execute(
            "select value, value_flag from fct_industry_indicator where province_code = '320000' "
            "and year = 2014 and industry_code = '39'"
        ).fetchone()
    assert row[0] == "zero_in_material_series" and "value 0 亿元 between 2013" in row[1]
    assert fact == (None, "quarantined")
    record_outcome("0 for a material division (Jiangsu 2014 division 39)", "published with the value quarantined")


# Changes a user may intend (allow_changes off), in two files: the publication guard lists every
# difference it finds in one refusal, so one refresh serves both. A file gone is decided from the file
# list before anything is parsed (raw/file_list), so it has a refresh of its own, which stops there.


@pytest.fixture(scope="module")
def structural_changes(baseline, tmp_path_factory) -> Shared:
    """Two labels swapped in Jiangsu's file, Zhejiang's 2014 row deleted."""
    case = shared_case(baseline, tmp_path_factory, "structural_changes")
    rows = case.as_rows("江苏.xls")
    a = rows[0].index("江苏:主营业务收入:纺织业")
    b = rows[0].index("江苏:主营业务收入:化学原料及化学制品制造业")
    rows[0][a], rows[0][b] = rows[0][b], rows[0][a]
    case.replace_with_xlsx("江苏.xls", rows)
    rows, r = case.wind_rows("浙江.xls")
    case.replace_with_xlsx("浙江.xls", rows[:r] + rows[r + 1 :])
    return Shared(case, case.refresh())


def test_swapped_labels_are_refused(structural_changes):
    refused(
        structural_changes.case,
        structural_changes.result,
        "series were rewritten",
        "320000/17",
        "320000/26",
        scenario="two known labels swapped in a file",
    )


def started_steps(result) -> list[str]:
    return [event.step_key for event in result.all_events if event.event_type_value == "STEP_START"]


def test_deleted_province_file_is_refused_before_anything_is_parsed(case):
    (case.wind / "安徽.xls").unlink()
    result = case.refresh()
    message = refused(
        case,
        result,
        "Not published, decided from RAW_DIR's file list before any file was parsed:",
        "\n- 1 source file of the current publication is gone from the raw-data directory: wind-mbr/安徽.xls.\n",
        "ops: publish__publication: config: allow_changes: true",
        f"The published file {case.published} is unchanged.",
        scenario="a province's file deleted",
    )
    assert message.count("\n- ") == 1  # the one rule broken
    # the run stopped at its first step: no file parsed, dbt never started
    assert started_steps(result) == ["raw__file_list"]


def test_an_unreadable_published_file_is_refused_at_the_first_step(case):
    case.published.write_bytes(b"not a DuckDB file" * 1000)
    case.published_bytes = case.published.read_bytes()
    result = case.refresh()
    message = refused(
        case,
        result,
        f"- The published file {case.published} cannot be read (",
        "Put a kept version back with make rollback, or move the file away to publish afresh.",
        scenario="a published file that cannot be read",
    )
    assert message.rstrip().endswith("Nothing was built or published.")
    assert started_steps(result) == ["raw__file_list"]


def test_a_province_gone_from_the_build_is_refused_by_the_guard(structural_changes, tmp_path):
    """The guard before publishing, over what the build holds: a province whose values are all gone
    from the facts (taken out of a copy of a build here; in a refresh its file would be gone too, which
    the file list refuses first, or allowed, and listed beside this)."""
    case = structural_changes.case
    build_db = tmp_path / "build.duckdb"
    shutil.copyfile(case.warehouse / "build.duckdb", build_db)
    with duckdb.connect(str(build_db)) as con:
        con.execute("delete from marts.fct_industry_indicator where province_code = '340000'")
    guard = compare_with_publication(build_db, case.published, case.raw)
    assert (
        "Province 340000 disappeared from main_business_revenue: the current publication has values for it, "
        "this refresh has none."
    ) in guard.intended_only


def test_deleted_year_row_is_refused(structural_changes):
    refused(
        structural_changes.case,
        structural_changes.result,
        "province-years disappeared",
        "330000 2014",
        scenario="a year row deleted from one file",
    )


@pytest.mark.parametrize("kind", ["dangling symlink", "symlink loop", "fifo"])
def test_entries_that_are_not_files_are_rejected_by_name(raw_files, kind):
    (raw_files.wind / "江苏.xls").unlink()
    target = raw_files.wind / "江苏.xls"
    if kind == "dangling symlink":
        target.symlink_to(raw_files.wind / "no-such-file.xls")
        expected = "does not exist"
    elif kind == "symlink loop":
        target.symlink_to(target)
        expected = "cannot be followed"
    else:
        os.mkfifo(target)
        expected = "named pipe (FIFO)"
    rejected_by_ingest(raw_files, "wind-mbr/江苏.xls", expected, scenario=f"{kind} named 江苏.xls")


def test_zip_bomb_fails_in_seconds(raw_files):
    import zipfile

    rows = raw_files.as_rows("北京.xlsx")
    name = raw_files.replace_with_xlsx("北京.xlsx", rows)
    bombed = raw_files.raw / "bomb.xlsx"
    with zipfile.ZipFile(raw_files.raw / name) as source, zipfile.ZipFile(bombed, "w", zipfile.ZIP_DEFLATED) as out:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                padding = b"<row/>" * (120 * 2**20 // 6)  # 120 MiB of empty rows, a few hundred kB zipped
                data = data.replace(b"</sheetData>", padding + b"</sheetData>")
            out.writestr(item, data)
    bombed.replace(raw_files.raw / name)
    started = time.monotonic()
    rejected_by_ingest(raw_files, name, "would decompress to", "zip bomb", scenario="zip-bomb xlsx")
    assert time.monotonic() - started < 60


def test_bad_setting_fails_before_anything_runs(case, monkeypatch, capsys):
    from orchestration import cli

    monkeypatch.setenv("RAW_DIR", str(case.raw))
    monkeypatch.setenv("WAREHOUSE_DIR", str(case.warehouse))
    monkeypatch.setenv("PUBLISH_KEEP_VERSIONS", "all")
    build_db = (case.warehouse / "build.duckdb").read_bytes()
    assert cli.main(["build", "--full"]) == 2
    assert "PUBLISH_KEEP_VERSIONS='all' is not a whole number" in capsys.readouterr().err
    assert (case.warehouse / "build.duckdb").read_bytes() == build_db
    case.assert_published_unchanged()
    record_outcome("PUBLISH_KEEP_VERSIONS=all", "refused before any step, nothing touched")


def test_a_later_failure_shows_only_its_own_failing_rows(case, monkeypatch, capsys):
    from orchestration import cli

    monkeypatch.setenv("RAW_DIR", str(case.raw))
    monkeypatch.setenv("WAREHOUSE_DIR", str(case.warehouse))
    monkeypatch.setenv("DAGSTER_HOME", str(case.warehouse.parent / "dagster_home"))
    (case.warehouse.parent / "dagster_home").mkdir()
    shutil.copy(INSTANCE_YAML, case.warehouse.parent / "dagster_home" / "dagster.yaml")
    rows = case.as_rows("浙江.xls")
    rows[0][3] = rows[0][3].rsplit(":", 1)[0] + ":量子纺织业"
    case.replace_with_xlsx("浙江.xls", rows)
    assert cli.main(["build"]) == 1
    first = capsys.readouterr().err
    assert "量子纺织业" in first and "assert_every_label_is_known" in first and "header cell D1" in first
    # the label is fixed; a different defect now fails the run before dbt
    case.replace_with_xlsx("浙江.xlsx", _fix_label(case.as_rows("浙江.xlsx")))
    rows, r = case.wind_rows("上海.xls")
    rows[r][3] = "12,3x"
    case.replace_with_xlsx("上海.xls", rows)
    assert cli.main(["build"]) == 1
    second = capsys.readouterr().err
    assert "12,3x" in second and "量子纺织业" not in second
    case.assert_published_unchanged()
    record_outcome("a failure after an earlier failed run", "refused, only this run's failing rows shown")


def _fix_label(rows: list[list]) -> list[list]:
    rows[0] = [h.replace("量子纺织业", "纺织业") if isinstance(h, str) else h for h in rows[0]]
    return rows


def test_second_refresh_is_refused_while_the_first_runs(case, tmp_path):
    """Two `make run` on one WAREHOUSE_DIR: the second starts while the first ingests. Exactly one
    publishes, and its manifest names the files it read."""
    other_raw = tmp_path / "other_raw"
    shutil.copytree(case.raw, other_raw)
    env = {
        **os.environ,
        "RAW_DIR": str(case.raw),
        "WAREHOUSE_DIR": str(case.warehouse),
        "DAGSTER_HOME": str(tmp_path / "dagster_home"),
        "FULL": "1",
    }
    (tmp_path / "dagster_home").mkdir()
    shutil.copy(INSTANCE_YAML, tmp_path / "dagster_home" / "dagster.yaml")
    first = subprocess.Popen(
        [sys.executable, "-m", "orchestration.cli", "build"],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lock = case.warehouse / "refresh.lock"
    wait_for(lambda: lock.exists() and lock.read_text(encoding="utf-8").strip(), "the first refresh's lock", first)
    holder = json.loads(lock.read_text(encoding="utf-8"))
    assert holder["pid"] == first.pid and holder["launched_by"] == "make run (command line)"
    second, _ = run_refresh(other_raw, case.warehouse, allow_changes=True)
    assert not second.success
    assert_names(
        "\n".join(failure_causes(second.all_events)),
        "Another refresh is already running",
        f"pid {first.pid}",
        "make run (command line)",
        "This one did nothing and published nothing",
    )
    _, err = first.communicate(timeout=300)
    assert first.returncode == 0, err
    with duckdb.connect(str(case.published), read_only=True) as con:
        manifest = json.loads(con.execute("select manifest from publication_manifest").fetchone()[0])
    assert manifest["raw_dir"] == str(case.raw)
    from orchestration.raw_snapshot import snapshot

    assert {f["source_file"]: f["file_sha256"] for f in manifest["source_files"]} == snapshot(case.raw)
    assert not lock.read_text(encoding="utf-8").strip()  # released
    record_outcome("two refreshes of one WAREHOUSE_DIR at once", "second refused naming the first; first published")


def test_rollback_is_atomic_and_keeps_every_version_intact(quarantines, tmp_path):
    # a second publication to roll back from: the quarantines' refresh, in a copy of its warehouse
    assert quarantines.result.success and quarantines.case.published_changed()
    shutil.copytree(quarantines.case.warehouse, tmp_path / "warehouse")
    case = Case(tmp_path, quarantines.case.raw)
    versions = sorted((case.warehouse / "versions").iterdir())
    before = {v.name: ((v / "marts.duckdb").read_bytes(), (v / "manifest.json").read_bytes()) for v in versions}
    stop_file = tmp_path / "rollback_done"
    reader = start_reader(case.published, stop_file)
    env = {**os.environ, "WAREHOUSE_DIR": str(case.warehouse), "RAW_DIR": str(case.raw)}
    done = subprocess.run(
        [sys.executable, "-m", "orchestration.cli", "rollback"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    stop_file.touch()
    out, err = reader.communicate(timeout=120)
    assert done.returncode == 0, done.stderr
    errors, versions_seen = map(int, out.split())
    assert errors == 0, err
    assert versions_seen == 2
    # the published file is the earlier publication's tables, with the rollback recorded
    with duckdb.connect(str(case.published), read_only=True) as con:
        manifest = json.loads(con.execute("select manifest from publication_manifest").fetchone()[0])
        value = con.execute(
            "select value from fct_industry_indicator where province_code = '320000' and year = 2014 "
            "and industry_code = '13'"
        ).fetchone()
    assert manifest["rolled_back"]["from_version"] == versions[0].name
    with duckdb.connect(str(versions[0] / "marts.duckdb"), read_only=True) as con:
        assert (
            con.execute(
                "select value from fct_industry_indicator where province_code = '320000' and year = 2014 "
                "and industry_code = '13'"
            ).fetchone()
            == value
        )
    after = {
        v.name: ((v / "marts.duckdb").read_bytes(), (v / "manifest.json").read_bytes())
        for v in sorted((case.warehouse / "versions").iterdir())
    }
    assert after == before
    assert os.stat(case.published).st_ino not in {os.stat(v / "marts.duckdb").st_ino for v in versions}
    record_outcome("make rollback with a reader querying", "rolled back atomically, 0 reader errors, versions intact")


def test_make_sql_runs_no_shell_command_and_keeps_dollars(case, tmp_path):
    env = {**os.environ, "WAREHOUSE_DIR": str(case.warehouse)}
    marker = tmp_path / "injected"
    injected = subprocess.run(
        ["make", "-s", "sql", f'Q=select 1"; touch {marker}; echo "'],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert not marker.exists()
    # the text reached DuckDB verbatim: there it is a column alias in double quotes
    assert f"; touch {marker}; echo" in injected.stdout
    dollars = subprocess.run(
        ["make", "-s", "sql", "Q=select '$HOME and $$x' as text"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert dollars.returncode == 0, dollars.stderr
    assert "$HOME and $$x" in dollars.stdout
    record_outcome("make sql Q with quotes and $", "no shell command run, query passed verbatim")


# --- issue 22: magnitude, one keyed-in cell, refusals that name file, place and rule ---------------

# Anhui's export has 33 series with a positive value on 2011 codes: 合计 and 32 divisions (mining,
# manufacturing, utilities; 2002 divisions through the crosswalk).
ANHUI_SERIES = 33


def plant_bare_name_export_under_another_name(case) -> None:
    # Beijing's export names bare industries, so its province comes from the file name: exported
    # again and saved as 浙江.xlsx it would publish Beijing's numbers as Zhejiang's
    (case.wind / "浙江.xls").unlink()
    book = openpyxl.Workbook()
    for row in case.as_rows("北京.xlsx"):
        book.active.append(row)
    book.save(case.wind / "浙江.xlsx")


def plant_unit_slip(case, yearbook_dir) -> int:
    """Anhui's export with every value x10000 (yuan typed into the 万元 columns), and the GDP exports
    read; returns how many series Anhui has in the current publication."""
    with duckdb.connect(str(case.published), read_only=True) as con:
        n_series = con.execute(
            "select count(distinct industry_code) from fct_industry_indicator where province_code = '340000' "
            "and value > 0"
        ).fetchone()[0]
    (case.raw / "nbs-gdp").mkdir()
    shutil.copy(yearbook_dir / "nbs-gdp" / "tobby-star_分省年度数据_GDP_1993-2017.csv", case.raw / "nbs-gdp")
    rows = case.as_rows("安徽.xls")
    slipped = [rows[0]] + [
        [row[0]] + [v * 10000 if isinstance(v, (int, float)) else v for v in row[1:]] for row in rows[1:]
    ]
    case.replace_with_xlsx("安徽.xls", slipped)
    return n_series


@pytest.fixture(scope="module")
def implausible(baseline, yearbook_dir, tmp_path_factory) -> Shared:
    """What allow_changes never publishes, in two files, one refresh with allow_changes: Beijing's
    export saved as Zhejiang's, and Anhui's values x10000 with the GDP exports read. The guard
    judges Anhui against the current publication whether or not GDP is read, and against its GDP
    when it is; its refusal lists every finding."""
    case = shared_case(baseline, tmp_path_factory, "implausible")
    plant_bare_name_export_under_another_name(case)
    planted = {"anhui_series": plant_unit_slip(case, yearbook_dir)}
    return Shared(case, case.refresh(allow_changes=True), planted)


def test_unit_slip_province_is_refused_even_with_allow_changes(implausible):
    # allow_changes accepts structural changes, never an implausible magnitude.
    assert implausible.planted["anhui_series"] == ANHUI_SERIES
    message = refused(
        implausible.case,
        implausible.result,
        f"安徽's values are ×10,000 the current publication's, median over {ANHUI_SERIES} series",
        "province 340000",
        "wind-mbr/安徽.xlsx",
        "a unit slip?",
        scenario="a province file x10000 (yuan in a 万元 column), with allow_changes",
    )
    assert "refresh again with allow_changes" not in message


def test_unit_slip_is_refused_against_gdp_too(implausible):
    # With the GDP exports read, each province-year's manufacturing revenue is checked against
    # its GDP: Anhui 2014, 33,026.02 亿元 x 10,000 against a GDP (as first published) of 20,848.75
    # 亿元 is 15,841 times it, far outside 0.02-6.
    message = refused(
        implausible.case,
        implausible.result,
        "安徽 2014: manufacturing revenue 330,260,200.0 亿元 is ×15,841 its GDP (20,848.8 亿元) (wind-mbr/安徽.xlsx), "
        "outside the plausible 0.02–6: a unit slip?",
        f"安徽's values are ×10,000 the current publication's, median over {ANHUI_SERIES} series",
        scenario="a province file x10000 with the GDP exports read, with allow_changes",
    )
    # every Anhui year with a GDP (2005-2016), and no other province
    assert len([line for line in message.splitlines() if "its GDP" in line]) == 12
    assert all(line.startswith("- 安徽 20") for line in message.splitlines() if "its GDP" in line)


def test_one_keyed_in_cell_is_withheld_alone_and_the_province_stays_in_its_universes(quarantines):
    # plant_one_keyed_in_cell: Zhejiang 2012 division 26 typed ten times too large
    case, cell = quarantines.case, quarantines.planted["keyed_in"]
    assert quarantines.result.success
    assert cell == "wind-mbr/浙江.xlsx!Sheet1!T9"
    with duckdb.connect(str(case.published), read_only=True) as con:
        quarantined = con.execute(
            "select scope, province_code, year, industry_label, quarantine_reason, quarantine_detail, source_cell "
            "from fct_quarantine where province_code = '330000'"
        ).fetchall()
        fact = con.execute(
            "select value, value_flag from fct_industry_indicator where province_code = '330000' and year = 2012 "
            "and industry_code = '26' and indicator = 'main_business_revenue'"
        ).fetchone()
        lq = con.execute(
            "select province_code, industry_code, lq from mart_location_quotient where universe_code = 'yrd' "
            "and year = 2012 and indicator = 'main_business_revenue'"
        ).fetchall()
        facts = con.execute(
            "select province_code, industry_code, value from fct_industry_indicator where year = 2012 "
            "and indicator = 'main_business_revenue' and industry_level = 'division' and industry_code between "
            "'13' and '43' and province_code in ('310000', '320000', '330000', '340000') and value is not null"
        ).fetchall()
    # only that cell: one row, scope value, naming the cell; no province-year withheld
    assert len(quarantined) == 1
    scope, province, year, label, reason, detail, source_cell = quarantined[0]
    assert (scope, province, year, label, reason, source_cell) == (
        "value",
        "330000",
        2012,
        "化学原料及化学制品制造业",
        "division_exceeds_total",
        cell,
    )
    # 49661.3 / sqrt(4605.97 * 5722.0) = 9.67
    assert detail.startswith(
        "化学原料及化学制品制造业 2012: value 49661.3 亿元 is 9.7x its own series (2011: 4605.97 and "
        "2013: 5722.0, threshold 4x)"
    ), detail
    assert detail.endswith("accepted up to 1.05): only this cell is withheld")
    assert fact == (None, "quarantined")
    # Zhejiang stays in the Yangtze River Delta universe of 2012, on the divisions every member
    # reports (26 is not among them now), and its LQs are the hand-computed ones
    assert {p for p, _, _ in lq} == {"310000", "320000", "330000", "340000"}
    assert "26" not in {k for _, k, _ in lq}
    by_province: dict[str, dict[str, float]] = {}
    for p, k, v in facts:
        by_province.setdefault(p, {})[k] = v
    common = set.intersection(*(set(d) for d in by_province.values()))
    assert {k for _, k, _ in lq} == common
    total = sum(d[k] for d in by_province.values() for k in common)
    zhejiang = sum(by_province["330000"][k] for k in common)
    textiles = sum(d["17"] for d in by_province.values())
    expected = (by_province["330000"]["17"] / zhejiang) / (textiles / total)
    assert next(v for p, k, v in lq if p == "330000" and k == "17") == pytest.approx(expected, rel=1e-12)
    record_outcome("one cell x10 (Zhejiang 2012 division 26)", "published with that cell quarantined")


def test_gdp_export_without_its_vintage_footnote_is_refused_by_name(raw_files, yearbook_dir):
    source = yearbook_dir / "nbs-gdp" / "renjiyi163_分省年度数据_GDP_2006-2024.csv"
    lines = source.read_bytes().split(b"\n")
    kept = [line for line in lines if not line.decode("gbk").startswith("注")]
    assert len(kept) == len(lines) - 1
    (raw_files.raw / "nbs-gdp").mkdir()
    (raw_files.raw / "nbs-gdp" / source.name).write_bytes(b"\n".join(kept))
    rejected_by_ingest(
        raw_files,
        f"nbs-gdp/{source.name}",
        "does not say which GDP vintage it holds",
        "注",
        scenario="GDP export with its vintage footnote deleted",
    )


def test_hightech_edition_missing_a_region_names_edition_region_and_file(wrong_header_and_hightech_gap):
    message = refused(
        wrong_header_and_hightech_gap.case,
        wrong_header_and_hightech_gap.result,
        # 2 printed subtotals (the east, the nation) x 5 indicators, each short of Fujian
        "dbt test assert_hightech_group_reconciles_with_printed failed for 10 of 70 rows of mart_hightech_group",
        "edition=2014, group_code=east, indicator=hightech_enterprises, missing_regions=['福建 (350000)'], "
        "source_file=hightech/yearbook-tables/raw-2014-copy.xlsx, edition_files=['hightech/yearbook-tables/"
        "raw-2014-copy.xlsx', 'hightech/yearbook-tables/raw-2014.xlsx'], printed_total=19069.0, "
        "sum_of_members=18273.0, difference_from_printed=-796.0",
        scenario="a high-tech edition missing one region in both copies",
    )
    assert "column_rules" not in message


# -- input-output tables: a header the registry does not know, a shifted header block -----------

IO_JIANGSU_2012 = Path("io-tables") / "2012年各省份投入产出表" / "10江苏.xls"


def add_io_table(raw_files, yearbook_dir, edit) -> str:
    """Jiangsu's real 2012 flow table, edited, added to the raw directory as .xlsx."""
    from orchestration.ingest.io_table import _flow_table
    from orchestration.ingest.workbook import read_workbook

    sheet, _ = _flow_table(read_workbook(yearbook_dir / IO_JIANGSU_2012, "10江苏.xls").sheets, "10江苏.xls")
    rows = [list(row) for row in sheet.rows]
    code_row = next(i for i, row in enumerate(rows) if "TIU" in [str(v).strip() for v in row])
    edit(rows, code_row, [str(v).strip() for v in rows[code_row]].index("TIU"))
    folder = raw_files.raw / IO_JIANGSU_2012.parent
    folder.mkdir(parents=True, exist_ok=True)
    book = openpyxl.Workbook()
    book.active.title = sheet.name
    for row in rows:
        book.active.append(row)
    book.save(folder / "10江苏.xlsx")
    return (IO_JIANGSU_2012.parent / "10江苏.xlsx").as_posix()


def test_io_table_with_an_unrecognised_header(raw_files, yearbook_dir):
    def rename_outflow(rows, code_row, first):
        outflow = first + 10  # TIU FU101 FU102 THC FU103 TC FU201 FU202 GCF EX | OF
        assert rows[code_row][outflow] == "OF"
        rows[code_row][outflow] = "TO"
        rows[code_row - 3][outflow] = "省外调出"

    name = add_io_table(raw_files, yearbook_dir, rename_outflow)
    message = rejected(raw_files.raw)
    assert_names(message, name, "sheet 'sheet1'", "cell BD9", "registry does not know", "'TO'", "省外调出")


def test_io_table_with_a_shifted_header_block(raw_files, yearbook_dir):
    def shift_headers(rows, code_row, first):
        for row in rows[:code_row]:
            row.insert(first, None)  # every header right of the sectors moves one column right

    name = add_io_table(raw_files, yearbook_dir, shift_headers)
    message = rejected(raw_files.raw)
    assert_names(message, name, "sheet 'sheet1'", "cell AT9", "header '' over code TIU", "shifted")
