"""Region groups a user defines in a file named by REGION_GROUPS_FILE, without touching the code.

The file is YAML or CSV. YAML lists groups, each with its members or with a built-in group it
starts from and the provinces it leaves out::

    groups:
      - code: national_ex_tibet
        name_zh: 全国（不含西藏）
        name_en: Nation without Tibet
        base: national
        exclude: [西藏]
      - code: pearl_river
        name_zh: 珠三角
        name_en: Pearl River Delta provinces
        members: [440000, 450000]

CSV has one row per member: ``group_code,name_zh,name_en,description,province``. A province is
named by its code (320000) or its short or full Chinese name (江苏, 江苏省). Everything is checked
before the refresh starts (unknown province, duplicate or built-in code, a group of fewer than two
provinces, malformed code) and each error names the file, the line and what was expected.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .core.errors import SourceFileError
from .core.hashing import file_sha256
from .core.paths import DBT_PROJECT_DIR

SEEDS = DBT_PROJECT_DIR / "seeds"
CODE_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
CSV_COLUMNS = ("group_code", "name_zh", "name_en", "description", "province")


@dataclass
class RegionGroup:
    code: str
    name_zh: str
    name_en: str
    description: str
    members: list[str] = field(default_factory=list)
    line: int | None = None


def source_key(path: Path) -> str:
    """How the file is named in raw.source_file and publication_source_file."""
    return f"REGION_GROUPS_FILE:{path.name}"


def _provinces() -> dict[str, str]:
    """Every accepted way of naming a province -> its code."""
    lookup: dict[str, str] = {}
    with open(SEEDS / "province.csv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            for name in (row["province_code"], row["name_short_zh"], row["name_full_zh"], row["name_en"]):
                lookup[name.strip()] = row["province_code"]
    return lookup


def builtin_groups() -> dict[str, list[str]]:
    members: dict[str, list[str]] = {}
    with open(SEEDS / "region_group.csv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            members[row["group_code"]] = []
    with open(SEEDS / "region_group_member.csv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            members[row["group_code"]].append(row["province_code"])
    return members


def _province_code(value: object, file: str, line: int | None, what: str, lookup: dict[str, str]) -> str:
    text = str(value).strip()
    if text not in lookup:
        raise SourceFileError(
            file,
            f"unknown province {text!r} in {what}",
            row=None if line is None else line - 1,
            expected="a province code (e.g. 320000) or its Chinese or English name as in seeds/province.csv",
            found=text,
        )
    return lookup[text]


def _read_yaml(path: Path) -> list[RegionGroup]:
    text = path.read_text(encoding="utf-8")
    try:
        document = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise SourceFileError(
            str(path), f"not valid YAML: {exc}", expected="a YAML mapping with a 'groups' list"
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("groups"), list):
        raise SourceFileError(str(path), "no 'groups' list", expected="groups: [ {code: ..., members: [...]}, ... ]")
    nodes = next((v for k, v in document.value if k.value == "groups"), None)
    lookup, builtin = _provinces(), builtin_groups()
    groups = []
    for index, entry in enumerate(data["groups"]):
        line = nodes.value[index].start_mark.line + 1
        if not isinstance(entry, dict) or "code" not in entry:
            raise SourceFileError(str(path), f"group {index + 1} has no code", row=line - 1, expected="code: <name>")
        code = str(entry["code"])
        base = entry.get("base")
        if base is not None and str(base) not in builtin:
            raise SourceFileError(
                str(path),
                f"group {code!r} starts from unknown built-in group {base!r}",
                row=line - 1,
                expected=f"one of {', '.join(sorted(builtin))}",
            )
        members = list(builtin[str(base)]) if base is not None else []
        members += [_province_code(p, str(path), line, f"group {code!r}", lookup) for p in entry.get("members") or []]
        excluded = {_province_code(p, str(path), line, f"group {code!r}", lookup) for p in entry.get("exclude") or []}
        groups.append(
            RegionGroup(
                code=code,
                name_zh=str(entry.get("name_zh") or code),
                name_en=str(entry.get("name_en") or code),
                description=str(entry.get("description") or "user-defined group (REGION_GROUPS_FILE)"),
                members=sorted(set(members) - excluded),
                line=line,
            )
        )
    return groups


def _read_csv(path: Path) -> list[RegionGroup]:
    lookup = _provinces()
    groups: dict[str, RegionGroup] = {}
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in ("group_code", "province") if c not in (reader.fieldnames or [])]
        if missing:
            raise SourceFileError(
                str(path), f"missing columns {missing}", row=0, expected=f"a header {','.join(CSV_COLUMNS)}"
            )
        for line, row in enumerate(reader, start=2):
            code = (row.get("group_code") or "").strip()
            group = groups.setdefault(
                code,
                RegionGroup(
                    code=code,
                    name_zh=(row.get("name_zh") or code).strip(),
                    name_en=(row.get("name_en") or code).strip(),
                    description=(row.get("description") or "user-defined group (REGION_GROUPS_FILE)").strip(),
                    line=line,
                ),
            )
            if (row.get("province") or "").strip():
                group.members.append(_province_code(row["province"], str(path), line, f"group {code!r}", lookup))
    for group in groups.values():
        group.members = sorted(set(group.members))
    return list(groups.values())


def read_groups(path: Path) -> list[RegionGroup]:
    """The groups of the file, checked; SourceFileError names the file and line of a problem."""
    if not path.is_file():
        raise SourceFileError(str(path), "REGION_GROUPS_FILE names no file", expected="a .yml, .yaml or .csv file")
    if path.suffix.lower() in (".yml", ".yaml"):
        groups = _read_yaml(path)
    elif path.suffix.lower() == ".csv":
        groups = _read_csv(path)
    else:
        raise SourceFileError(str(path), f"unsupported extension {path.suffix!r}", expected=".yml, .yaml or .csv")
    builtin, seen = builtin_groups(), set()
    for group in groups:
        row = None if group.line is None else group.line - 1
        if not CODE_PATTERN.match(group.code):
            raise SourceFileError(
                str(path),
                f"group code {group.code!r} is malformed",
                row=row,
                expected="lower-case letters, digits and _ (at most 40), starting with a letter",
            )
        if group.code in builtin:
            raise SourceFileError(
                str(path),
                f"group code {group.code!r} is already a built-in group",
                row=row,
                expected="a code not in seeds/region_group.csv",
            )
        if group.code in seen:
            raise SourceFileError(str(path), f"group code {group.code!r} is defined twice", row=row)
        seen.add(group.code)
        if not group.members:
            raise SourceFileError(
                str(path), f"group {group.code!r} has no members", row=row, expected="at least two provinces"
            )
    for group in groups:
        # Every group is a reference universe of the metric marts: within one province every
        # location quotient is 1 and there is no other member to specialise against.
        if len(group.members) == 1:
            raise SourceFileError(
                str(path),
                f"group {group.code!r} has one province ({group.members[0]}), and as the universe of the "
                "metric marts it would make every location quotient 1",
                row=None if group.line is None else group.line - 1,
                expected="at least two provinces",
            )
    return groups


def load_into(con, path: Path | None) -> int:
    """raw.raw_region_group_member from the file, one row per member with its group's names (empty
    without a file); returns the number of groups."""
    groups = read_groups(path) if path is not None else []
    con.execute("create schema if not exists raw")
    con.execute(
        "create or replace table raw.raw_region_group_member (group_code varchar, name_zh varchar, "
        "name_en varchar, description varchar, province_code varchar, source_file varchar, "
        "source_line integer, file_sha256 varchar)"
    )
    con.execute(
        "create table if not exists raw.source_file (source_family varchar, source_file varchar, "
        "file_sha256 varchar, n_values integer, loaded_at timestamp)"
    )
    con.execute("alter table raw.source_file add column if not exists parser_fingerprint varchar")
    con.execute("delete from raw.source_file where source_family = 'region_groups'")
    if path is None:
        return 0
    key, sha = source_key(path), file_sha256(path)
    con.executemany(
        "insert into raw.raw_region_group_member values (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            [group.code, group.name_zh, group.name_en, group.description, member, key, group.line, sha]
            for group in groups
            for member in group.members
        ],
    )
    con.execute(
        "insert into raw.source_file (source_family, source_file, file_sha256, n_values, loaded_at) "
        "values ('region_groups', ?, ?, ?, now())",
        [key, sha, sum(len(g.members) for g in groups)],
    )
    return len(groups)
