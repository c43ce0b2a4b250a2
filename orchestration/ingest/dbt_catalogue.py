"""The dbt side of the source catalogue, written from sources.yml so a family is declared once.

`make` runs this before `dbt parse` (python -m orchestration.ingest.dbt_catalogue); the files are
generated, not kept in git:

- models/staging/_sources__generated.yml: one dbt source table per family, its asset key and its
  layout's tests (the catalogue's `layouts`);
- macros/source_catalogue__generated.sql: the families and layouts as a Jinja value, so the
  staging model of a layout reads the raw tables of all its families (macro catalogue_sources) and
  int_source_cells reads every staging model on the province x division grid;
- seeds/source_classification_vintage.csv and seeds/indicator.csv: the families'
  `classification_vintage` and `indicator_reference`.

tests/test_dbt_catalogue.py checks that the files on disk are what the catalogue gives now.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

import yaml

from ..settings import DBT_PROJECT_DIR, SOURCE_CATALOGUE

GENERATED_NOTE = (
    "Generated from orchestration/ingest/sources.yml by orchestration/ingest/dbt_catalogue.py "
    "(`make` runs it before `dbt parse`). Do not edit: edit the catalogue."
)
SOURCES_FILE = Path("models/staging/_sources__generated.yml")
MACRO_FILE = Path("macros/source_catalogue__generated.sql")
VINTAGE_SEED = Path("seeds/source_classification_vintage.csv")
INDICATOR_SEED = Path("seeds/indicator.csv")


def _catalogue(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def dbt_sources(spec: dict) -> str:
    """The dbt source `raw`: one table per family, described by its title and its layout."""
    tables = []
    for key, family in spec["families"].items():
        layout = spec["layouts"][family["layout"]]
        tables.append(
            {
                "name": family["raw_table"],
                "description": f"{family['title']} ({family['title_zh']}). {layout['description'].strip()}",
                "meta": {"dagster": {"asset_key": ["raw", key]}, "source_family": key, "layout": family["layout"]},
                **_column_rules(family["raw_table"], layout.get("raw_columns", [])),
            }
        )
    document = {"version": 2, "sources": [{"name": "raw", "schema": "raw", "tables": tables}]}
    return f"# {GENERATED_NOTE}\n" + yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=120)


FOLDED_TESTS = ("not_null", "unique", "accepted_values")


def _column_rules(table: str, columns: list[dict]) -> dict:
    """A layout's columns, with their not_null, unique and accepted_values tests (those without a
    config of their own) folded into the table's one `column_rules` test: one dbt node per table
    instead of one per rule (macros/test_column_rules.sql). Other tests stay on their column."""
    rules: dict = {}
    kept_columns = []
    for column in columns:
        kept_tests = []
        for test in column.get("data_tests", []):
            name, body = (test, {}) if isinstance(test, str) else next(iter(test.items()))
            arguments = (body or {}).get("arguments", {})
            if name not in FOLDED_TESTS or set(body or {}) - {"arguments"} or set(arguments) - {"values", "quote"}:
                kept_tests.append(test)
            elif name == "accepted_values":
                rules.setdefault("accepted_values", {})[column["name"]] = list(arguments["values"])
            else:
                rules.setdefault(name, []).append(column["name"])
        kept_columns.append({**column, "data_tests": kept_tests} if kept_tests else _without_tests(column))
    folded = {"data_tests": [{"column_rules": {"name": f"column_rules_{table}", "arguments": rules}}]} if rules else {}
    return {**folded, "columns": kept_columns}


def _without_tests(column: dict) -> dict:
    return {key: value for key, value in column.items() if key != "data_tests"}


def dbt_macro(spec: dict) -> str:
    """The catalogue as a Jinja value: identifiers only (ASCII), so it is also a valid literal."""
    value = {
        "families": [
            {"key": key, "layout": family["layout"], "raw_table": family["raw_table"]}
            for key, family in spec["families"].items()
        ],
        "layouts": {
            name: {"staging_model": layout["staging_model"], "grid": layout.get("grid", "")}
            for name, layout in spec["layouts"].items()
        },
    }
    literal = json.dumps(value, indent=4, ensure_ascii=True)
    return (
        f"{{#- {GENERATED_NOTE} -#}}\n"
        "{% macro source_catalogue() -%}\n"
        f"    {{{{ return({literal}) }}}}\n"
        "{%- endmacro %}\n"
    )


def _csv(header: list[str], rows: list[list]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def vintage_seed(spec: dict) -> str:
    rows = [
        [key, period["first_year"], period["last_year"], period["vintage"], period["evidence"]]
        for key, family in spec["families"].items()
        for period in family.get("classification_vintage", [])
    ]
    return _csv(["source_family", "first_year", "last_year", "vintage", "evidence"], rows)


def indicator_seed(spec: dict) -> str:
    rows = []
    for family in spec["families"].values():
        if "indicator_reference" not in family:
            continue
        reference = family["indicator_reference"]
        rows.append(
            [
                family["indicator"],
                family["indicator_label_zh"],
                reference["name_en"],
                reference["target_unit"],
                str(reference["is_additive"]).lower(),
                reference["plausibility_material_value"],
                reference["note"],
            ]
        )
    header = ["indicator", "name_zh", "name_en", "target_unit", "is_additive", "plausibility_material_value", "note"]
    return _csv(header, rows)


def check(spec: dict) -> None:
    """What the generated files assume: every family's layout is described, and every family on
    the province x division grid says its classification vintage and indicator reference."""
    problems = []
    for key, family in spec["families"].items():
        layout = spec.get("layouts", {}).get(family["layout"])
        if layout is None:
            problems.append(f"{key}: layout {family['layout']!r} has no entry under `layouts`")
        elif layout.get("grid") == "province_division":
            problems += [
                f"{key}: a family on the province x division grid needs `{field}`"
                for field in ("classification_vintage", "indicator_reference")
                if field not in family
            ]
    if problems:
        raise ValueError(f"{SOURCE_CATALOGUE.name}: " + "; ".join(problems))


def generated_files(catalogue: Path = SOURCE_CATALOGUE) -> dict[Path, str]:
    """Path under dbt_project -> its content."""
    spec = _catalogue(catalogue)
    check(spec)
    return {
        SOURCES_FILE: dbt_sources(spec),
        MACRO_FILE: dbt_macro(spec),
        VINTAGE_SEED: vintage_seed(spec),
        INDICATOR_SEED: indicator_seed(spec),
    }


def write(project_dir: Path = DBT_PROJECT_DIR) -> list[Path]:
    """Write the files whose content changed (an unchanged file keeps its time, so make and dbt's
    partial parse see no change)."""
    written = []
    for relative, content in generated_files().items():
        path = project_dir / relative
        if not path.exists() or path.read_text(encoding="utf-8") != content:
            path.write_text(content, encoding="utf-8")
            written.append(path)
    return written


if __name__ == "__main__":
    for path in write():
        print(f"wrote {path.relative_to(DBT_PROJECT_DIR.parent)}", file=sys.stderr)
