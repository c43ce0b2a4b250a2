"""Write the SAMPLE extracts in raw/: synthetic numbers in the real Wind EDB layouts.

The values are invented (deterministic pseudo-random), not official statistics; every file says
so in its footer and in its sheet name's companion README. They exist so that `make run` works on
a fresh clone without the real extracts, and so the parser's layout variants are exercised:

- 省:指标:行业 series, Dec-31 dates ascending (Shanghai, Jiangsu, Zhejiang, Anhui, Tianjin)
- bare industry names, integer years descending, `***` suppressed cells (Beijing)
- 省:指标:上级:行业 series and a 单位 row stating 万元 (Hebei)
- 2002-vintage names up to 2010, 2011 names from 2011, as in the real panel
- an NBS data-portal GDP export (GBK CSV, years newest first, footnotes)
- a wide province x industry employment panel (CSV, GB/T 4754-2011 names), with the 2005-2011
  autos/other-transport split that the catalogue flags as derived
- the printed high-tech yearbook table (bilingual header, padded region names, subtotals that
  add up), two editions, one of them also as a web page saved as .xls with rounded numbers
- two provincial 42-sector input-output tables (code row, TVA and TI rows)
- an average-wage panel in the employment panel's layout
- a small 4-digit classification concordance (synthetic class codes) from which the models derive
  the 2002 -> 2011 division crosswalk, as they do from the official one
- for every other Wind EDB family of the source catalogue (orchestration/ingest/sources.yml), two
  provinces' exports of its indicator in its folder, so a family added there has samples too

Run from the repository root:  python scripts/make_samples.py
"""

from __future__ import annotations

import random
import zlib
from datetime import datetime
from pathlib import Path

import openpyxl
import yaml

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "raw" / "wind-mbr"
YEARS = list(range(2005, 2017))
SAMPLE_NOTE = "数据来源：SAMPLE 示例数据 — synthetic values made by scripts/make_samples.py, not official statistics"

# (2002 name, 2011 name or None when unchanged, share of manufacturing)
DIVISIONS = [
    ("农副食品加工业", None, 0.07),
    ("纺织业", None, 0.08),
    ("纺织服装、鞋、帽制造业", "纺织服装、服饰业", 0.04),
    ("化学原料及化学制品制造业", "化学原料和化学制品制造业", 0.12),
    ("医药制造业", None, 0.03),
    ("黑色金属冶炼及压延加工业", "黑色金属冶炼和压延加工业", 0.10),
    ("通用设备制造业", None, 0.08),
    ("专用设备制造业", None, 0.05),
    ("电气机械及器材制造业", "电气机械和器材制造业", 0.11),
    ("通信设备、计算机及其他电子设备制造业", "计算机、通信和其他电子设备制造业", 0.14),
]
MINING = [("煤炭开采和洗选业", 0.6), ("非金属矿采选业", 0.4)]
UTILITIES = [("电力、热力的生产和供应业", 0.85), ("水的生产和供应业", 0.15)]

# province: (2005 industry total in 万元, layout)
PROVINCES = {
    "上海": (160_000_000, "prefixed"),
    "江苏": (320_000_000, "prefixed"),
    "浙江": (230_000_000, "prefixed"),
    "安徽": (50_000_000, "prefixed"),
    "北京": (70_000_000, "bare"),
    "天津": (80_000_000, "prefixed"),
    "河北": (110_000_000, "hierarchical"),
}


def province_series(name: str, total_2005: float, rng: random.Random) -> dict[str, dict[int, float]]:
    """Industry values by label and year; labels switch to 2011 names from 2011."""
    tilt = {d[0]: rng.uniform(0.5, 1.6) for d in DIVISIONS}
    weight = sum(share * tilt[n] for n, _, share in DIVISIONS)
    series: dict[str, dict[int, float]] = {}
    for year in YEARS:
        total = total_2005 * (1.13 ** (year - 2005)) * rng.uniform(0.97, 1.03)
        mining, utilities = total * 0.04, total * 0.07
        manufacturing = total - mining - utilities
        series.setdefault("合计", {})[year] = round(total, 1)
        for label, share in MINING:
            series.setdefault(label, {})[year] = round(mining * share, 1)
        for label, share in UTILITIES:
            series.setdefault(label, {})[year] = round(utilities * share, 1)
        explained = 0.0
        for old, new, share in DIVISIONS:
            label = (new or old) if year >= 2011 else old
            value = round(manufacturing * 0.8 * share * tilt[old] / weight * rng.uniform(0.95, 1.05), 1)
            series.setdefault(label, {})[year] = value
            explained += value
        if year >= 2011:
            series.setdefault("制造业", {})[year] = round(manufacturing, 1)
    return series


def write_province(
    name: str, total_2005: float, layout: str, rng: random.Random, out: Path = OUT, indicator: str = "主营业务收入"
) -> Path:
    series = province_series(name, total_2005, rng)
    labels = list(series)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Sheet1"
    if layout == "bare":
        header = ["指标名称"] + ["  " + label for label in labels]
    elif layout == "hierarchical":
        parent = {label: "制造业" for label in labels}
        header = ["指标名称"] + [
            f"{name}:{indicator}:{parent[label]}:{label}"
            if label not in ("合计", "制造业") and not label.endswith(("采选业", "供应业"))
            else f"{name}:{indicator}:{label}"
            for label in labels
        ]
    else:
        header = ["指标名称"] + [f"{name}:{indicator}:{label}" for label in labels]
    sheet.append(header)
    if layout == "hierarchical":
        sheet.append(["频率"] + ["年"] * len(labels))
        sheet.append(["单位"] + ["万元"] * len(labels))
    years = sorted(YEARS, reverse=(layout == "bare"))
    for year in years:
        key: object = year if layout == "bare" else datetime(year, 12, 31)
        row: list[object] = [key]
        for label in labels:
            value = series[label].get(year)
            if layout == "bare" and label == "煤炭开采和洗选业" and year >= 2015:
                value = "***"  # suppressed, as Beijing prints it
            row.append(value)
        sheet.append(row)
    sheet.append([SAMPLE_NOTE])
    path = out / f"{name}.xlsx"
    book.save(path)
    return path


def write_other_wind_families() -> list[Path]:
    """Two provinces' exports for each Wind EDB family of the catalogue other than wind_mbr, in the
    folder of its first path pattern, at a twentieth of the revenue sample's level (an amount in
    万元 well below revenue, such as profit). Each family has its own seed, so adding one changes
    no other sample."""
    catalogue = yaml.safe_load((REPO / "orchestration" / "ingest" / "sources.yml").read_text(encoding="utf-8"))
    paths = []
    for key, family in catalogue["families"].items():
        if family["layout"] != "wind_edb" or key == "wind_mbr":
            continue
        out = REPO / "raw" / Path(family["path_patterns"][0]).parent
        out.mkdir(parents=True, exist_ok=True)
        rng = random.Random(zlib.crc32(key.encode()))
        for name in ("上海", "江苏"):
            total, layout = PROVINCES[name]
            paths.append(write_province(name, total / 20, layout, rng, out, family["indicator_label_zh"]))
    return paths


EMPLOYMENT_INDUSTRIES = [new or old for old, new, _ in DIVISIONS] + [
    "汽车制造业",
    "铁路、船舶、航空航天和其他运输设备制造业",
    "煤炭开采和洗选业",
    "电力、热力生产和供应业",
]


def write_employment_panel(rng: random.Random) -> Path:
    """SAMPLE employment panel (persons), the layout of employment/CityEmp.csv."""
    path = REPO / "raw" / "employment" / "CityEmp.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [
        "# SAMPLE 示例数据 — synthetic values made by scripts/make_samples.py, not official statistics",
        "province,year," + ",".join(EMPLOYMENT_INDUSTRIES),
    ]
    for name, (total, _) in PROVINCES.items():
        base = {label: total / 2000 * rng.uniform(0.3, 1.7) for label in EMPLOYMENT_INDUSTRIES}
        for year in YEARS:
            values = []
            for label in EMPLOYMENT_INDUSTRIES:
                value = base[label] * (1.02 ** (year - 2005)) * rng.uniform(0.96, 1.04)
                # the real panel's 2005-2011 autos/transport values are a fractional split
                values.append(
                    f"{value:.4f}"
                    if (year <= 2011 and "运输" in label) or (year <= 2011 and label == "汽车制造业")
                    else f"{round(value)}.0"
                )
            lines.append(f"{name},{year}," + ",".join(values))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_wage_panel(rng: random.Random) -> Path:
    """SAMPLE average-wage panel (yuan per person), the layout of employment/CityWage.csv."""
    path = REPO / "raw" / "employment" / "CityWage.csv"
    lines = [
        "# SAMPLE 示例数据 — synthetic values made by scripts/make_samples.py, not official statistics",
        "province,year," + ",".join(EMPLOYMENT_INDUSTRIES),
    ]
    for name in PROVINCES:
        base = {label: rng.uniform(15000, 30000) for label in EMPLOYMENT_INDUSTRIES}
        for year in YEARS:
            values = [
                f"{round(base[label] * 1.11 ** (year - 2005) * rng.uniform(0.97, 1.03))}.0"
                for label in EMPLOYMENT_INDUSTRIES
            ]
            lines.append(f"{name},{year}," + ",".join(values))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_gdp_export() -> Path:
    """SAMPLE NBS data-portal export (GBK, years as columns newest first, footnotes after)."""
    path = REPO / "raw" / "nbs-gdp" / "SAMPLE_分省年度数据_GDP_2005-2016.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    full_names = {
        "上海": "上海市",
        "江苏": "江苏省",
        "浙江": "浙江省",
        "安徽": "安徽省",
        "北京": "北京市",
        "天津": "天津市",
        "河北": "河北省",
    }
    lines = [
        "数据库：分省年度数据",
        "指标：地区生产总值(亿元)",
        "时间：2005-2016",
        "地区," + ",".join(f"{year}年" for year in reversed(YEARS)),
    ]
    for name, (total, _) in PROVINCES.items():
        lines.append(
            full_names[name] + "," + ",".join(f"{total / 40000 * 1.12 ** (y - 2005):.2f}" for y in reversed(YEARS))
        )
    lines += [
        "注：SAMPLE 示例数据 — synthetic values made by scripts/make_samples.py, not official statistics.",
        "数据来源：scripts/make_samples.py",
    ]
    path.write_bytes("\r\n".join(lines).encode("gbk"))
    return path


EAST = {"上海", "江苏", "浙江", "北京", "天津", "河北"}
ENGLISH = {
    "上海": "Shanghai",
    "江苏": "Jiangsu",
    "浙江": "Zhejiang",
    "安徽": "Anhui",
    "北京": "Beijing",
    "天津": "Tianjin",
    "河北": "Hebei",
}


def hightech_rows(year: int, rng: random.Random) -> list[tuple[str, str, int, float, float]]:
    """(name, English, enterprises, revenue 亿元, profit 亿元): provinces, then subtotals that add up."""
    provinces = []
    for name, (total, _) in PROVINCES.items():
        industry = total * 1.13 ** (year - 2005) / 10000  # 亿元, the Wind sample's scale
        revenue = round(industry * rng.uniform(0.08, 0.2), 1)
        provinces.append(
            (name, ENGLISH[name], rng.randint(100, 3000), revenue, round(revenue * rng.uniform(0.04, 0.08), 1))
        )

    def subtotal(label, english, members):
        rows = [p for p in provinces if p[0] in members]
        return (
            label,
            english,
            sum(r[2] for r in rows),
            round(sum(r[3] for r in rows), 1),
            round(sum(r[4] for r in rows), 1),
        )

    return [
        subtotal("全    国", "National Total", set(PROVINCES)),
        subtotal("东部地区", "Eastern Region", EAST),
        subtotal("中部地区", "Middle Region", {"安徽"}),
    ] + [(" ".join(name) if len(name) == 2 else name, english, *rest) for name, english, *rest in provinces]


def write_hightech_tables(rng: random.Random) -> list[Path]:
    """SAMPLE high-tech yearbook tables: 2014 and 2015 as printed, 2014 again as a web export."""
    out = REPO / "raw" / "hightech" / "yearbook-tables"
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for year in (2014, 2015):
        rows = hightech_rows(year, rng)
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.title = "1"
        sheet.append([f"5-3 各地区高技术产业生产经营情况({year}年)  SAMPLE 示例数据"])
        sheet.append([f"Statistics on Production and Management in High-tech Industry by Region({year})"])
        sheet.append(["单位：亿元"])
        sheet.append(
            [
                "地    区",
                "Region",
                "企业数\n(个)\nNumber of\nEnterprises",
                "主营业\n务收入\nRevenue from\nPrincipal Business",
                "利润\n总额\nProfits",
            ]
        )
        for name, english, enterprises, revenue, profit in rows:
            sheet.append([name, english, str(enterprises), f"{revenue:.1f}", f"{profit:.1f}"])
        sheet.append(
            ["注：SAMPLE 示例数据 — synthetic values made by scripts/make_samples.py, not official statistics"]
        )
        path = out / f"SAMPLE-{year}.xlsx"
        book.save(path)
        paths.append(path)
        if year == 2014:
            # the same edition as a statistics portal's "export to Excel": HTML, rounded, no English
            cells = "".join(
                f"<tr><td>{name.replace(' ', '')}</td><td>{e}</td><td>{round(r)}</td><td>{round(p)}</td></tr>\n"
                for name, _, e, r, p in rows
            )
            page = (
                f'<html><head><meta charset="utf-8"></head><body><div>中国{year}年各地区高技术产业生产经营情况统计'
                f" SAMPLE 示例数据</div><table><tr><td>单位:个.亿元</td></tr></table><table>"
                f"<tr><td>地区</td><td>企业数(个)</td><td>主营业务收入</td><td>利润总额</td></tr>\n{cells}</table></body></html>"
            )
            path = out / f"SAMPLE-{year}-web.xls"
            path.write_text(page, encoding="utf-8")
            paths.append(path)
    return paths


# The 2012/2017 provincial demand and trade block: (header, code) right of the 42 sector columns.
IO_DEMAND_BLOCK = [
    ("中间使用合计", "TIU"),
    ("农村居民", "FU101"),
    ("城镇居民", "FU102"),
    ("小计", "THC"),
    ("政府消费支出", "FU103"),
    ("合计", "TC"),
    ("固定资本形成总额", "FU201"),
    ("存货增加", "FU202"),
    ("合计", "GCF"),
    ("出口", "EX"),
    ("国内省外流出", "OF"),
    ("最终使用合计", "TFU"),
    ("进口", "IM"),
    ("国内省外流入", "IF"),
    ("其他", "ERR"),
    ("总产出", "GO"),
]


def io_demand_row(output: float, rng: random.Random) -> list[float]:
    """One sector row of the demand block that balances exactly: TIU + TC + GCF + EX + OF − IM −
    IF + ERR = GO, with the inflow IF closing the row (≥ 4 % of output by construction)."""
    go = round(output, 2)
    tiu = round(go * rng.uniform(0.55, 0.7), 2)
    rural, urban, gov = (round(go * rng.uniform(0.03, 0.06), 2) for _ in range(3))
    fixed, inventory = round(go * rng.uniform(0.08, 0.12), 2), round(go * rng.uniform(0.0, 0.01), 2)
    exports, outflow = round(go * rng.uniform(0.05, 0.15), 2), round(go * rng.uniform(0.25, 0.45), 2)
    imports, other = round(go * rng.uniform(0.03, 0.08), 2), round(go * rng.uniform(-0.01, 0.01), 2)
    tc, gcf = round(rural + urban + gov, 2), round(fixed + inventory, 2)
    tfu = round(tc + gcf + exports + outflow, 2)
    inflow = round(tiu + tfu - imports + other - go, 2)
    households = round(rural + urban, 2)
    consumption = [rural, urban, households, gov, tc]
    trade = [exports, outflow, tfu, imports, inflow, other, go]
    return [tiu, *consumption, fixed, inventory, gcf, *trade]


def write_io_tables(rng: random.Random) -> list[Path]:
    """SAMPLE 42-sector input-output tables for 2012: value added and total input by sector, and
    for each sector row the demand and trade block (intermediate use, final use, 国内省外流出/流入,
    出口/进口, 其他, 总产出) laid out as the real 2012 provincial tables print it."""
    out = REPO / "raw" / "io-tables" / "2012年各省份投入产出表"
    out.mkdir(parents=True, exist_ok=True)
    codes = [f"{i:02d}" for i in range(1, 43)]
    # its own generator, so the samples made after the IO tables stay as they were
    demand_rng = random.Random(2012)
    paths = []
    for number, name in ((9, "上海"), (10, "江苏")):
        scale = PROVINCES[name][0] * 1.13**7 / 42  # 万元 per sector, near the Wind sample's scale
        output = [scale * rng.uniform(0.2, 2.0) for _ in codes]
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.title = name
        sheet.append([f"{name}2012年投入产出表  SAMPLE 示例数据"])
        sheet.append(["（按当年生产者价格计算）", None, None, "单位：万元"])
        sheet.append([None, None, "代码", *[f"部门{code}" for code in codes], *[h for h, _ in IO_DEMAND_BLOCK]])
        # codes printed as numbers
        sheet.append(["代码", None, "-", *[float(int(code)) for code in codes], *[c for _, c in IO_DEMAND_BLOCK]])
        for code, o in zip(codes, output):
            sheet.append([None, f"部门{code}", code, *[None] * len(codes), *io_demand_row(o, demand_rng)])
        sheet.append([None, "增加值合计", "TVA", *[round(o * rng.uniform(0.2, 0.4), 2) for o in output]])
        sheet.append(["总投入", None, "TI", *[round(o, 2) for o in output]])
        sheet.append(
            ["注：SAMPLE 示例数据 — synthetic values made by scripts/make_samples.py, not official statistics"]
        )
        path = out / f"{number}{name}.xlsx"
        book.save(path)
        paths.append(path)
    return paths


# GB/T 4754-2002 division -> the 2011 division(s) its classes go to (the renumbering of the two
# code lists; 37 transport equipment became 36 autos and 37 other transport).
RENUMBERED_2002_TO_2011 = {
    **{f"{d:02d}": [f"{d:02d}"] for d in range(6, 29)},
    "11": ["12"],
    "29": ["29"],
    "30": ["29"],
    "31": ["30"],
    "32": ["31"],
    "33": ["32"],
    "34": ["33"],
    "35": ["34"],
    "36": ["35"],
    "37": ["37", "36"],
    "39": ["38"],
    "40": ["39"],
    "41": ["40"],
    "42": ["24"],
    "43": ["42"],
    "44": ["44"],
    "45": ["45"],
    "46": ["46"],
}


def write_concordance() -> Path:
    """SAMPLE 4-digit concordance in the official file's layout, with invented class codes."""
    path = REPO / "raw" / "classification" / "SAMPLE_concordance_4digit_2017_2011_2002.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [
        "# SAMPLE 示例数据 — synthetic class codes made by scripts/make_samples.py, not the official concordance",
        "GB2011,GB2017,Des2017,Des2011,GB2002,Des2002",
    ]
    for code_2002, successors in RENUMBERED_2002_TO_2011.items():
        for n, code_2011 in enumerate(successors, start=1):
            for k in range(1, 3 if n == 1 else 2):  # the principal successor gets more links
                c11, c02 = f"{code_2011}{n}{k}", f"{code_2002}{n}{k}"
                lines.append(f"{c11},{c11},示例类别{c11},示例类别{c11},{c02},示例类别{c02}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    rng = random.Random(20261123)
    for name, (total, layout) in PROVINCES.items():
        path = write_province(name, total, layout, rng)
        print(f"wrote {path.relative_to(REPO)}")
    path = write_employment_panel(rng)
    print(f"wrote {path.relative_to(REPO)} (SAMPLE: synthetic values)")
    path = write_gdp_export()
    print(f"wrote {path.relative_to(REPO)} (SAMPLE: synthetic values)")
    for path in write_hightech_tables(rng) + write_io_tables(rng) + [write_concordance(), write_wage_panel(rng)]:
        print(f"wrote {path.relative_to(REPO)} (SAMPLE: synthetic values)")
    for path in write_other_wind_families():
        print(f"wrote {path.relative_to(REPO)} (SAMPLE: synthetic values)")


if __name__ == "__main__":
    main()
