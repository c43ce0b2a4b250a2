"""Derive the industry reference seeds from the official GB/T 4754 code lists and concordance.

Writes, under dbt_project/seeds/:
- industry_division.csv        2-digit divisions (mining, manufacturing, utilities) of 2002 and 2011
- industry_label_official.csv  every official division name with its code in each vintage

Run (from the repository root):
    python scripts/derive_industry_seeds.py --classification ../shared/data/yearbook/classification

The 2002 -> 2011 crosswalk is not a seed: the dbt model int_industry_crosswalk_2002_2011
derives it, weights included, from the concordance on every run. The labels' other-vintage
codes need each 2002 division's successors, which this script finds by the model's rule for
successors (most 4-digit links, a tie to the same-named division; 37 feeds 36 and 37).
Only derived tables are written; no source file is copied.
"""

from __future__ import annotations

import argparse
import csv
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

SEEDS = REPO / "dbt_project" / "seeds"


NAME_EN_2011 = {
    "06": "Coal mining and washing",
    "07": "Petroleum and natural gas extraction",
    "08": "Ferrous metal ore mining",
    "09": "Non-ferrous metal ore mining",
    "10": "Non-metallic mineral mining",
    "11": "Mining support activities",
    "12": "Other mining",
    "13": "Agri-food processing",
    "14": "Food manufacturing",
    "15": "Liquor, beverages and refined tea",
    "16": "Tobacco products",
    "17": "Textiles",
    "18": "Textile apparel and accessories",
    "19": "Leather, fur, feather products and footwear",
    "20": "Wood processing and wood, bamboo, rattan, palm and straw products",
    "21": "Furniture",
    "22": "Paper and paper products",
    "23": "Printing and reproduction of recorded media",
    "24": "Cultural, educational, arts and crafts, sports and entertainment goods",
    "25": "Petroleum processing, coking and nuclear fuel",
    "26": "Chemical raw materials and chemical products",
    "27": "Pharmaceuticals",
    "28": "Chemical fibres",
    "29": "Rubber and plastic products",
    "30": "Non-metallic mineral products",
    "31": "Ferrous metal smelting and rolling",
    "32": "Non-ferrous metal smelting and rolling",
    "33": "Fabricated metal products",
    "34": "General-purpose machinery",
    "35": "Special-purpose machinery",
    "36": "Automobiles",
    "37": "Railway, ship, aerospace and other transport equipment",
    "38": "Electrical machinery and equipment",
    "39": "Computers, communication and other electronic equipment",
    "40": "Instruments and meters",
    "41": "Other manufacturing",
    "42": "Comprehensive use of waste resources",
    "43": "Repair of metal products, machinery and equipment",
    "44": "Electricity and heat production and supply",
    "45": "Gas production and supply",
    "46": "Water production and supply",
}
NAME_EN_2002 = {
    **NAME_EN_2011,
    "11": "Other mining",
    "15": "Beverages",
    "18": "Textile garments, footwear and headwear",
    "19": "Leather, fur, feather (down) products",
    "24": "Cultural, educational and sports goods",
    "29": "Rubber products",
    "30": "Plastic products",
    "31": "Non-metallic mineral products",
    "32": "Ferrous metal smelting and rolling",
    "33": "Non-ferrous metal smelting and rolling",
    "34": "Fabricated metal products",
    "35": "General-purpose machinery",
    "36": "Special-purpose machinery",
    "37": "Transport equipment",
    "39": "Electrical machinery and equipment",
    "40": "Communication equipment, computers and other electronic equipment",
    "41": "Instruments, meters, cultural and office machinery",
    "42": "Artwork and other manufacturing",
    "43": "Recycling of waste resources",
}


def sector_of(code: str) -> str:
    n = int(code)
    return "mining" if n <= 12 else "manufacturing" if n <= 43 else "utilities"


def read_divisions(path: Path) -> dict[str, str]:
    with open(path, encoding="utf-8") as handle:
        rows = csv.DictReader(handle)
        return {
            r["code"]: r["name"].strip()
            for r in rows
            if len(r["code"]) == 2 and r["code"].isdigit() and "06" <= r["code"] <= "46"
        }


def write_csv(path: Path, header: list[str], rows: list[list]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    print(f"wrote {path.relative_to(REPO)} ({len(rows)} rows)")


def write_official_labels(names: dict[str, dict[str, str]], crosswalk: list[list]) -> None:
    """Every official division name, with its code in both vintages where one exists.

    A 2002 name's 2011 code is its successor when the crosswalk sends it to one division; a 2011
    name's 2002 code is its predecessor when exactly one 2002 division feeds it and feeds only it.
    Otherwise the other-vintage code is empty and the models map by the label's own vintage.
    """
    successors = defaultdict(set)
    predecessors = defaultdict(set)
    for code_2002, code_2011, *_ in crosswalk:
        successors[code_2002].add(code_2011)
        predecessors[code_2011].add(code_2002)
    # Series keep their 2002 name after 2011; the data then follow the division that continues
    # the name, which is not always where most of the content went: 2002's 42 工艺品及其他制造业
    # (content mostly to 2011's 24 crafts) is continued by 2011's 41 其他制造业.
    successors["42"] = {"41"}
    by_name: dict[str, dict[str, str]] = defaultdict(dict)
    for vintage in ("2002", "2011"):
        for code, name in names[vintage].items():
            by_name[name][vintage] = code
    rows = []
    for name, codes in sorted(by_name.items(), key=lambda kv: (min(kv[1].values()), kv[0])):
        c02, c11 = codes.get("2002"), codes.get("2011")
        vintage = "both" if c02 and c11 else "2002" if c02 else "2011"
        if c02 and not c11 and len(successors[c02]) == 1:
            c11 = next(iter(successors[c02]))
        if c11 and not c02 and len(predecessors[c11]) == 1:
            only = next(iter(predecessors[c11]))
            c02 = only if successors[only] == {c11} else None
        rows.append([name, vintage, c02 or "", c11 or "", "division", "", "official GB/T 4754 name"])
    write_csv(
        SEEDS / "industry_label_official.csv",
        ["label", "label_vintage", "code_2002", "code_2011", "label_kind", "aggregate_code", "note"],
        rows,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--classification", type=Path, required=True)
    args = parser.parse_args()

    names = {
        "2002": read_divisions(args.classification / "GBT4754-2002.csv"),
        "2011": read_divisions(args.classification / "GBT4754-2011.csv"),
    }
    english = {"2002": NAME_EN_2002, "2011": NAME_EN_2011}
    write_csv(
        SEEDS / "industry_division.csv",
        ["vintage", "industry_code", "name_zh", "name_en", "sector", "is_manufacturing"],
        [
            [v, code, name, english[v][code], sector_of(code), sector_of(code) == "manufacturing"]
            for v in ("2002", "2011")
            for code, name in sorted(names[v].items())
        ],
    )

    # 4-digit concordance: 2002 class -> set of 2011 classes (drop the 2017 dimension).
    targets: dict[str, set[str]] = defaultdict(set)
    with open(args.classification / "GB171102_concordance_4digit_2017_2011_2002.csv", encoding="utf-8") as h:
        for r in csv.DictReader(h):
            c02, c11 = r["GB2002"].strip(), r["GB2011"].strip()
            if c02[:2] in names["2002"] and c11:
                targets[c02].add(c11)

    # Successors only (weights are the dbt model's business): principal successor by most
    # 4-digit links, a tie to the same-named division; 2002's 37 is the union of 2011's 36 and 37.
    crosswalk = []
    for code in sorted(names["2002"]):
        votes = Counter(t[:2] for c, ts in targets.items() if c[:2] == code for t in ts)
        principal = max(votes, key=lambda t: (votes[t], names["2011"].get(t) == names["2002"][code])) if votes else code
        for successor in ["36", "37"] if code == "37" else [principal]:
            crosswalk.append([code, successor])
    write_official_labels(names, crosswalk)


if __name__ == "__main__":
    main()
