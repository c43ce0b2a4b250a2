"""A family added by its catalogue entry alone (wind_total_profit, synthetic samples in
raw/wind-profit/): parsed, staged with the other Wind EDB families, checked and published."""

from __future__ import annotations

import dagster as dg
import openpyxl

from orchestration.definitions import defs
from orchestration.ingest.catalogue import Catalogue
from orchestration.ingest.load import load_family
from orchestration.settings import SAMPLE_RAW_DIR


def test_the_samples_parse_as_the_catalogue_says():
    family = Catalogue.load().families["wind_total_profit"]
    files = Catalogue.load().files_of(SAMPLE_RAW_DIR)["wind_total_profit"]
    assert [path.name for path in files] == ["上海.xlsx", "江苏.xlsx"]
    table = load_family(family, files, SAMPLE_RAW_DIR)
    assert set(table["indicator"]) == {"total_profit"} and set(table["unit"]) == {"万元"}
    assert set(table["source_family"]) == {"wind_total_profit"}
    # Jiangsu's 2005 total, as the sample file prints it in B2 (header 江苏:利润总额:合计)
    sheet = openpyxl.load_workbook(SAMPLE_RAW_DIR / "wind-profit" / "江苏.xlsx").active
    assert sheet["B1"].value == "江苏:利润总额:合计"
    total = table[(table["source_file"] == "wind-profit/江苏.xlsx") & (table["source_cell"] == "B2")]
    assert total["value"].tolist() == [sheet["B2"].value]
    assert total[["province_label", "industry_label", "year"]].values.tolist() == [["江苏", "合计", 2005]]


def test_it_is_an_ingest_asset_read_by_the_wind_staging_model_and_checked():
    graph = defs.resolve_asset_graph()
    staging = graph.get(dg.AssetKey(["staging", "stg_wind_edb__cells"]))
    assert staging.parent_keys == {dg.AssetKey(["raw", "wind_mbr"]), dg.AssetKey(["raw", "wind_total_profit"])}
    checks = {(key.asset_key.to_user_string(), key.name) for key in graph.asset_check_keys}
    assert ("raw/wind_total_profit", "gx_raw_wind_total_profit") in checks
