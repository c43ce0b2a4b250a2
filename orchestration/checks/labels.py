"""Province and industry names beside codes in sample rows, so a report reads without a lookup."""

from __future__ import annotations

import csv
from functools import lru_cache

import pandas as pd

from ..settings import DBT_PROJECT_DIR


@lru_cache(maxsize=1)
def _names() -> tuple[dict[str, str], dict[str, str]]:
    seeds = DBT_PROJECT_DIR / "seeds"
    with open(seeds / "province.csv", encoding="utf-8") as handle:
        provinces = {r["province_code"]: f"{r['name_short_zh']} {r['name_en']}" for r in csv.DictReader(handle)}
    with open(seeds / "industry_division.csv", encoding="utf-8") as handle:
        industries = {r["industry_code"]: r["name_zh"] for r in csv.DictReader(handle) if r["vintage"] == "2011"}
    return provinces, industries


def with_names(frame: pd.DataFrame) -> pd.DataFrame:
    provinces, industries = _names()
    frame = frame.copy()
    for column in [c for c in frame.columns if c.endswith("province_code") or c == "region_code"]:
        frame.insert(frame.columns.get_loc(column) + 1, column.replace("_code", "_name"), frame[column].map(provinces))
    if "industry_code" in frame.columns and "industry_name" not in frame.columns:
        frame.insert(
            frame.columns.get_loc("industry_code") + 1, "industry_name", frame["industry_code"].map(industries)
        )
    return frame
