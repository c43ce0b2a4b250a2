"""The README's Performance table claims what the latest `make bench` table in docs/benchmarks.md
measured: the same medians, and each target's verdict ("met", "not met" and the figure in
brackets) worked out from those medians against the targets the benchmark itself checks
(TARGETS in benchmarks/bench_refresh.py); and `make test`'s time in its commands is the last row
of that file's suite table."""

from __future__ import annotations

import ast
import re

import pytest

from orchestration.settings import REPO_ROOT

# README row -> the row of docs/benchmarks.md's "Every row" table it repeats
SAME_ROW = {
    "`make run FULL=1`": "make run FULL=1, wall",
    "`make run`, nothing changed": "make run, nothing changed, wall",
    "`make run`, one province file changed": "make run, one province file changed, wall",
    "dbt's own elapsed (nodes)": "dbt build, dbt's own elapsed (nodes)",
    "UI: click → run started": 'UI "Materialize all": click → run started',
    'UI: "Materialize all", click → success': 'UI "Materialize all": click → success',
    'UI: "Materialize all" again, nothing changed': 'UI "Materialize all" again, nothing changed: click → success',
}


def _targets() -> dict[str, float]:
    """TARGETS of benchmarks/bench_refresh.py (a dict literal), read without running the benchmark."""
    tree = ast.parse((REPO_ROOT / "benchmarks" / "bench_refresh.py").read_text(encoding="utf-8"))
    (value,) = [
        node.value
        for node in tree.body
        if isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] == ["TARGETS"]
    ]
    return ast.literal_eval(value)


def _table_after(text: str, heading: str) -> dict[str, list[str]]:
    """The first markdown table after `heading`: first cell -> the other cells."""
    rest = text[text.index(heading) :]
    lines = rest.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("| "))
    rows = {}
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        rows[cells[0]] = cells[1:]
    return rows


def _number(cell: str) -> float:
    return float(cell.replace(",", ""))


@pytest.fixture(scope="module")
def tables():
    readme = _table_after((REPO_ROOT / "README.md").read_text(encoding="utf-8"), "## Performance")
    docs = _table_after((REPO_ROOT / "docs" / "benchmarks.md").read_text(encoding="utf-8"), "### Every row, against")
    return readme, docs


def _sitting(readme_text: str, docs_text: str) -> tuple[tuple[str, str, str], tuple[str, str, str]]:
    """(new commit, old commit, rounds) as the README states them and as the benchmark printed them."""
    stated = re.search(r": (\w{7}) against (\w{7}) \(.*?\),\s+median\s+of\s+(\w+)\s+rounds", readme_text, re.S)
    printed = re.search(r"old (\w{7}) and new (\w{7}) back to back, .*?median of (\d+)", docs_text)
    assert stated and printed
    rounds = {"two": "2", "three": "3", "four": "4", "five": "5"}[stated.group(3)]
    return (stated.group(1), stated.group(2), rounds), (printed.group(2), printed.group(1), printed.group(3))


def test_the_readme_names_the_benchmarks_commits_and_rounds():
    readme_text = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    docs_text = (REPO_ROOT / "docs" / "benchmarks.md").read_text(encoding="utf-8")
    stated, printed = _sitting(readme_text, docs_text)
    assert stated == printed
    new, old, _ = printed
    assert f"| measure | {old} | {new} | target | |" in readme_text


def test_the_readme_repeats_the_benchmark_medians(tables):
    readme, docs = tables
    assert set(readme) == set(SAME_ROW)
    for row, docs_row in SAME_ROW.items():
        assert readme[row][:2] == docs[docs_row][:2], row


def _verdict(value: float, target: float, shown: str) -> str:
    return f"{'met' if value <= target else 'not met'} ({shown})"


def test_each_verdict_is_worked_out_from_the_medians(tables):
    readme, docs = tables
    targets = _targets()
    full_vs_dbt = _number(docs["make run FULL=1 / dbt's own elapsed"][1])
    one_file = _number(docs["one file changed / make run FULL=1"][1])
    ui_all = _number(docs['UI "Materialize all" / make run FULL=1'][1])
    # the ratio rows are the benchmark's own; they agree with the medians above them
    assert full_vs_dbt == pytest.approx(
        _number(docs["make run FULL=1, wall"][1]) / _number(docs["dbt build, dbt's own elapsed (nodes)"][1]), abs=0.06
    )
    dbt_old, dbt_new = (_number(cell) for cell in docs["dbt build, dbt's own elapsed (nodes)"][:2])
    dbt_share = dbt_new / dbt_old
    ui_start = _number(docs['UI "Materialize all": click → run started'][1])

    # README row -> (the value measured, its key in TARGETS, as the README shows it, the target's
    # scale there: a ratio and seconds as they are, a share in %)
    measured = {
        "`make run FULL=1`": (full_vs_dbt, "full_vs_dbt", f"{full_vs_dbt:.2f}×", 1),
        "`make run`, one province file changed": (one_file, "one_file_share", f"{one_file:.0%}", 100),
        "dbt's own elapsed (nodes)": (dbt_share, "dbt_vs_old", f"{dbt_share:.0%}", 100),
        "UI: click → run started": (ui_start, "ui_start", f"{ui_start:.1f} s", 1),
        'UI: "Materialize all", click → success': (ui_all, "ui_all_vs_full", f"{ui_all:.2f}×", 1),
    }
    for row, (value, key, shown, scale) in measured.items():
        assert readme[row][3].replace(" %", "%") == _verdict(value, targets[key], shown), row
        # the target column states TARGETS
        assert float(re.match(r"≤ ([\d.]+)", readme[row][2]).group(1)) == pytest.approx(targets[key] * scale), row
    # rows without a target claim none
    for row in set(readme) - set(measured):
        assert not re.search(r"\bmet\b", readme[row][3]), row


def test_the_readme_states_the_test_suites_latest_time():
    """`make test`'s time in the README's commands is the last row of docs/benchmarks.md's "Test
    suite time" table (the median of the latest runs), in whole minutes."""
    docs = (REPO_ROOT / "docs" / "benchmarks.md").read_text(encoding="utf-8")
    rows = _table_after(docs, "## Test suite time")
    last_wall = list(rows.values())[-1][1]  # the rows are in the order they were measured
    minutes = float(re.fullmatch(r"([\d.]+) min", last_wall).group(1))
    stated = re.search(r"make test +# the whole test suite, about (\d+) min", (REPO_ROOT / "README.md").read_text())
    assert stated and int(stated.group(1)) == round(minutes)
