"""The dbt side of the source catalogue is derived from it: the generated files are current, and a
family of an existing layout reaches its dbt source, staging model, grid and seeds."""

from __future__ import annotations

import json

import pytest
import yaml

from orchestration.ingest.catalogue import Catalogue
from orchestration.ingest.dbt_catalogue import generated_files
from orchestration.settings import DBT_PROJECT_DIR, SOURCE_CATALOGUE


def test_the_generated_dbt_files_are_current():
    """`make` writes them before `dbt parse`; a catalogue edited since shows here."""
    stale = [
        str(relative)
        for relative, content in generated_files().items()
        if not (DBT_PROJECT_DIR / relative).exists()
        or (DBT_PROJECT_DIR / relative).read_text(encoding="utf-8") != content
    ]
    assert stale == [], "run `make setup` (python -m orchestration.ingest.dbt_catalogue)"


def test_every_family_is_a_dbt_source_read_by_its_layouts_staging_model():
    manifest = json.loads((DBT_PROJECT_DIR / "target" / "manifest.json").read_text(encoding="utf-8"))
    spec = yaml.safe_load(SOURCE_CATALOGUE.read_text(encoding="utf-8"))
    models = {node["name"]: node for node in manifest["nodes"].values() if node["resource_type"] == "model"}
    for family in Catalogue.load().families.values():
        source = manifest["sources"][f"source.regional_structure.raw.{family.raw_table}"]
        assert source["meta"]["dagster"]["asset_key"] == ["raw", family.key]
        staging = models[spec["layouts"][family.layout]["staging_model"]]
        assert source["unique_id"] in staging["depends_on"]["nodes"], family.key
    grid = models["int_source_cells"]["depends_on"]["nodes"]
    assert sorted(grid) == [
        "model.regional_structure.stg_wide_panel__cells",
        "model.regional_structure.stg_wind_edb__cells",
    ]


def test_a_new_family_of_an_existing_layout_needs_only_its_catalogue_entry(tmp_path):
    spec = yaml.safe_load(SOURCE_CATALOGUE.read_text(encoding="utf-8"))
    spec["families"]["wind_example"] = {
        **spec["families"]["wind_mbr"],
        "indicator": "example_indicator",
        "indicator_label_zh": "示例指标",
        "raw_table": "raw_wind_example",
        "classification_vintage": [{"first_year": 1949, "last_year": 2100, "vintage": "2011", "evidence": "e.g."}],
    }
    catalogue = tmp_path / "sources.yml"
    catalogue.write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    files = {str(path): content for path, content in generated_files(catalogue).items()}
    sources = yaml.safe_load(files["models/staging/_sources__generated.yml"])["sources"][0]["tables"]
    example = next(table for table in sources if table["name"] == "raw_wind_example")
    assert example["meta"]["dagster"]["asset_key"] == ["raw", "wind_example"]
    # the layout's columns, their not-null, unique and accepted-values rules folded into one table test
    assert [column["name"] for column in example["columns"]] == ["raw_value_id", "source_cell", "value_flag"]
    assert example["data_tests"] == [
        {
            "column_rules": {
                "name": "column_rules_raw_wind_example",
                "arguments": {
                    "unique": ["raw_value_id"],
                    "not_null": ["raw_value_id", "source_cell"],
                    "accepted_values": {"value_flag": ["reported", "suppressed", "missing"]},
                },
            }
        }
    ]
    assert '"raw_table": "raw_wind_example"' in files["macros/source_catalogue__generated.sql"]
    assert "wind_example,1949,2100,2011,e.g." in files["seeds/source_classification_vintage.csv"].splitlines()
    assert any(line.startswith("example_indicator,示例指标,") for line in files["seeds/indicator.csv"].splitlines())


def test_a_grid_family_without_its_classification_vintage_is_refused(tmp_path):
    spec = yaml.safe_load(SOURCE_CATALOGUE.read_text(encoding="utf-8"))
    del spec["families"]["wages"]["classification_vintage"]
    catalogue = tmp_path / "sources.yml"
    catalogue.write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    with pytest.raises(
        ValueError, match="wages: a family on the province x division grid needs `classification_vintage`"
    ):
        generated_files(catalogue)
