"""User-defined region groups (REGION_GROUPS_FILE): read, checked, and refused with a clear error."""

from pathlib import Path

import duckdb
import pytest

from orchestration.region_groups import load_into, read_groups
from orchestration.settings import Settings, SettingsError

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "region_groups.yml"


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_example_file_resolves_names_bases_and_exclusions():
    groups = {g.code: g for g in read_groups(EXAMPLE)}
    assert groups["shanghai_jiangsu"].members == ["310000", "320000"]
    assert groups["zhejiang_anhui"].members == ["330000", "340000"]
    ex_tibet = groups["national_ex_tibet"].members
    assert len(ex_tibet) == 30 and "540000" not in ex_tibet and "650000" in ex_tibet


def test_csv_file_one_row_per_member(tmp_path):
    path = _write(
        tmp_path,
        "groups.csv",
        "group_code,name_zh,name_en,description,province\nsj,沪苏,SJ,,上海\nsj,沪苏,SJ,,江苏省\nzj,浙皖,ZJ,,330000\n"
        "zj,浙皖,ZJ,,安徽\n",
    )
    groups = {g.code: g.members for g in read_groups(path)}
    assert groups == {"sj": ["310000", "320000"], "zj": ["330000", "340000"]}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("groups:\n  - code: a\n    members: [上海]\n  - code: b\n    members: [火星]\n", "unknown province '火星'"),
        ("groups:\n  - code: a\n    members: [上海]\n  - code: a\n    members: [江苏]\n", "defined twice"),
        ("groups:\n  - code: yrd\n    members: [上海]\n", "already a built-in group"),
        ("groups:\n  - code: empty\n    members: []\n", "has no members"),
        ("groups:\n  - code: only\n    base: yrd_core\n    exclude: [上海, 江苏, 浙江]\n", "has no members"),
        ("groups:\n  - code: Bad-Code\n    members: [上海]\n", "malformed"),
        ("groups:\n  - code: a\n    base: mars\n", "unknown built-in group 'mars'"),
        ("regions: []\n", "no 'groups' list"),
    ],
)
def test_bad_groups_file_names_file_line_and_problem(tmp_path, text, message):
    path = _write(tmp_path, "groups.yml", text)
    with pytest.raises(ValueError) as raised:
        read_groups(path)
    assert message in str(raised.value)
    assert "groups.yml" in str(raised.value)


def test_unknown_province_error_names_its_line(tmp_path):
    path = _write(
        tmp_path, "groups.yml", "groups:\n  - code: a\n    members: [上海]\n  - code: b\n    members: [火星]\n"
    )
    with pytest.raises(ValueError, match=r"row 4.*expected a province code"):
        read_groups(path)


def test_settings_refuse_a_bad_groups_file_before_anything_runs(tmp_path, monkeypatch):
    path = _write(tmp_path, "groups.yml", "groups:\n  - code: empty\n")
    monkeypatch.setenv("REGION_GROUPS_FILE", str(path))
    monkeypatch.setenv("RAW_DIR", str(tmp_path))
    with pytest.raises(SettingsError, match=r"REGION_GROUPS_FILE: .*has no members"):
        Settings.from_env().validate()
    monkeypatch.setenv("REGION_GROUPS_FILE", str(tmp_path / "absent.yml"))
    with pytest.raises(SettingsError, match="names no file"):
        Settings.from_env().validate()


def test_load_writes_members_and_registers_the_file():
    con = duckdb.connect()
    assert load_into(con, EXAMPLE) == 3
    rows = con.execute("select group_code, count(*) from raw.raw_region_group_member group by 1 order by 1").fetchall()
    assert rows == [("national_ex_tibet", 30), ("shanghai_jiangsu", 2), ("zhejiang_anhui", 2)]
    registered = con.execute("select source_file, n_values from raw.source_file").fetchall()
    assert registered == [("REGION_GROUPS_FILE:region_groups.yml", 34)]
    assert load_into(con, None) == 0
    assert con.execute("select count(*) from raw.raw_region_group_member").fetchone()[0] == 0
    assert con.execute("select count(*) from raw.source_file").fetchone()[0] == 0
