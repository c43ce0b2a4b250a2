"""Input-output tables: all 125 real tables parse, every sector's total output and value added
equals the independent long extraction in the same folder, and each edition's demand and trade
block is read as the concepts it prints (and nothing it does not)."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest

from orchestration.core.errors import SourceFileError
from orchestration.ingest.catalogue import Catalogue
from orchestration.ingest.io_table import parse_io_table
from orchestration.ingest.load import load_family

FAMILY = Catalogue.load().families["io_tables"]
REGISTRY = FAMILY.layout_options


@pytest.fixture(scope="module")
def real_rows(yearbook_dir):
    return load_family(FAMILY, Catalogue.load().files_of(yearbook_dir)["io_tables"], yearbook_dir)


def test_every_table_matches_the_long_extraction(real_rows, yearbook_dir):
    assert real_rows.source_file.nunique() == 125
    reference = pd.read_csv(
        yearbook_dir / "io-tables" / "provincial_io_42sector_output_va_2002-2017.csv", dtype={"io_code": str}
    )
    reference["source_file"] = "io-tables/" + reference["source_file"]
    long = reference.melt(
        id_vars=["year", "province", "io_code", "io_sector", "source_file"],
        value_vars=["total_output_10k_yuan", "value_added_10k_yuan"],
        var_name="column",
    )
    long["indicator"] = long["column"].map(
        {"total_output_10k_yuan": "io_total_output", "value_added_10k_yuan": "io_value_added"}
    )
    rows = real_rows[real_rows.indicator.isin(["io_total_output", "io_value_added"])]
    joined = rows.merge(
        long, on=["source_file", "io_code", "indicator"], how="outer", suffixes=("", "_reference"), indicator=True
    )
    assert joined["_merge"].eq("both").all()
    assert len(joined) == 125 * 42 * 2
    assert (joined["value"] - joined["value_reference"]).abs().max() < 1e-6
    # the parsed region, year and sector name agree with the extraction's
    assert (joined["province_label"] == joined["province"]).all()
    assert (joined["year"] == joined["year_reference"]).all()
    assert (joined["industry_label"] == joined["io_sector"].str.replace(r"\s", "", regex=True)).all()


COMMON = {
    "io_intermediate_use",
    "io_consumption_rural",
    "io_consumption_urban",
    "io_consumption_households",
    "io_consumption_government",
    "io_final_consumption",
    "io_fixed_capital_formation",
    "io_inventory_change",
    "io_gross_capital_formation",
    "io_final_use",
    "io_gross_output",
    "io_total_output",
    "io_value_added",
}


def test_each_edition_reads_the_trade_columns_it_prints(real_rows):
    """2012/2017 provinces split domestic from foreign flows; 2007 provinces print 流出/流入 (with
    exports and imports inside); 2002 provinces only 净流出 and no 其他; the national tables only
    出口/进口. Each file has its concepts for all 42 sectors, once."""
    national = real_rows.source_file.str.contains("/0中国")
    kinds = real_rows.assign(kind=national.map({True: "national", False: "province"}))
    per_file = kinds.groupby(["year", "kind", "source_file"]).indicator.agg(frozenset)
    concepts = per_file.groupby(level=["year", "kind"]).agg(lambda s: set(s)).to_dict()
    split = {"io_exports", "io_outflow_domestic", "io_imports", "io_inflow_domestic", "io_other"}
    foreign_only = {"io_exports", "io_imports", "io_other"}
    assert concepts == {
        (2002, "national"): {frozenset(COMMON | foreign_only)},
        (2002, "province"): {frozenset(COMMON | {"io_net_outflow_total"})},
        (2007, "national"): {frozenset(COMMON | foreign_only)},
        (2007, "province"): {frozenset(COMMON | {"io_outflow_total", "io_inflow_total", "io_other"})},
        (2012, "national"): {frozenset(COMMON | foreign_only)},
        (2012, "province"): {frozenset(COMMON | split)},
        (2017, "province"): {frozenset(COMMON | split)},
    }
    counts = real_rows.groupby(["source_file", "indicator"]).io_code.agg(["size", "nunique"])
    assert (counts["size"] == 42).all() and (counts["nunique"] == 42).all()


def test_jiangsu_2012_trade_cells(real_rows):
    """The cells of Jiangsu 2012's textile row (07), as the workbook prints them."""
    textile = real_rows[
        (real_rows.source_file == "io-tables/2012年各省份投入产出表/10江苏.xls") & (real_rows.io_code == "07")
    ].set_index("indicator")
    assert textile.loc["io_outflow_domestic", "indicator_label"] == "国内省外流出"
    assert textile.loc["io_inflow_domestic", "indicator_label"] == "国内省外流入"
    assert textile.loc["io_outflow_domestic", "source_row"] == textile.loc["io_exports", "source_row"]
    # the row balances as printed: TIU + TFU − IM − IF + ERR = GO (to the printed cent)
    v = textile["value"]
    balance = v.io_intermediate_use + v.io_final_use - v.io_imports - v.io_inflow_domestic + v.io_other
    assert balance == pytest.approx(v.io_gross_output, abs=0.05)


def test_codes_printed_as_floats_and_national_table_without_region_title(real_rows):
    national_2012 = real_rows[real_rows.source_file == "io-tables/2012年各省份投入产出表/0中国.xls"]
    assert set(national_2012.province_label) == {"中国"}
    assert national_2012.source_sheet.unique().tolist() == ["1.1基本流量表"]  # not the coefficient sheets
    assert sorted(national_2012.io_code.unique()) == [f"{i:02d}" for i in range(1, 43)]


def _table(tmp_path, rows, folder="2007年各省份投入产出表", name="10江苏.xlsx"):
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    (tmp_path / folder).mkdir(exist_ok=True)
    path = tmp_path / folder / name
    book.save(path)
    return path


def _grid(ti_value="100"):
    codes = [f"{i:02d}" for i in range(1, 43)]
    return [
        ["江苏2007年投入产出表"],
        ["单位：万元"],
        [None, None, "代码", *[f"部门{c}" for c in codes]],
        ["代码", None, "-", *codes],
        [None, "增加值合计", "TVA", *["50"] * 42],
        ["总投入", None, "TI", ti_value, *["100"] * 41],
    ]


def parse(path, tmp_path):
    return parse_io_table(
        path,
        display_name=path.relative_to(tmp_path).as_posix(),
        expected_indicator_label="投入产出表",
        catalogue_unit="万元",
        **REGISTRY,
    )


BLOCK = [
    ("中间使用合计", "TIU"),
    ("出口", "EX"),
    ("国内省外流出", "OF"),
    ("进口", "IM"),
    ("国内省外流入", "IF"),
    ("总产出", "GO"),
]


def _grid_with_block(block=BLOCK, extra_value=None):
    """The small table with 42 sector rows and a demand block: sector k's row holds
    TIU 60, EX 10, OF 40, IM 5, IF 5 + k, GO 100 − k (so TIU + EX + OF − IM − IF = GO)."""
    codes = [f"{i:02d}" for i in range(1, 43)]
    grid = _grid()
    grid[2] = grid[2] + [h for h, _ in block]
    grid[3] = grid[3] + [c for _, c in block]
    rows = [
        [None, f"部门{c}", c, *[None] * 42, 60, 10, 40, 5, 5 + int(c), 100 - int(c)]
        + ([] if extra_value is None else [extra_value])
        for c in codes
    ]
    return grid[:4] + rows + grid[4:]


def test_small_table_parses(tmp_path):
    rows = parse(_table(tmp_path, _grid()), tmp_path)
    assert len(rows) == 84
    first = next(r for r in rows if r["indicator"] == "io_total_output" and r["io_code"] == "01")
    assert (first["value"], first["source_cell"], first["industry_label"], first["year"]) == (
        100.0,
        "D6",
        "部门01",
        2007,
    )


def test_bad_value_names_the_cell(tmp_path):
    with pytest.raises(SourceFileError) as caught:
        parse(_table(tmp_path, _grid(ti_value="1,0O0")), tmp_path)
    message = str(caught.value)
    for part in ("2007年各省份投入产出表/10江苏.xlsx", "row 6", "column D", "not a number", "1,0O0"):
        assert part in message


def test_year_of_title_and_folder_must_agree(tmp_path):
    path = _table(tmp_path, _grid(), folder="2012年各省份投入产出表")
    with pytest.raises(SourceFileError, match="title for 2007 but sits in the folder for 2012"):
        parse(path, tmp_path)


def test_missing_value_added_row_is_an_error(tmp_path):
    grid = [row for row in _grid() if row[2:3] != ["TVA"]]
    with pytest.raises(SourceFileError, match="has no TVA row"):
        parse(_table(tmp_path, grid), tmp_path)


def test_demand_block_is_read_with_its_cells(tmp_path):
    rows = parse(_table(tmp_path, _grid_with_block()), tmp_path)
    inflow = {r["io_code"]: r for r in rows if r["indicator"] == "io_inflow_domestic"}
    assert len(rows) == 84 + 6 * 42 and len(inflow) == 42
    # sector 03 is the third sector row (row 7); IF is the fifth block column after AS (sector 42)
    assert (inflow["03"]["value"], inflow["03"]["source_cell"], inflow["03"]["indicator_label"]) == (
        8.0,
        "AX7",
        "国内省外流入",
    )
    assert inflow["03"]["industry_label"] == "部门03"


def test_unknown_demand_header_names_the_cell(tmp_path):
    block = [*BLOCK[:3], ("调出", "TO"), *BLOCK[4:]]
    with pytest.raises(SourceFileError) as caught:
        parse(_table(tmp_path, _grid_with_block(block)), tmp_path)
    message = str(caught.value)
    for part in ("10江苏.xlsx", "cell AW4", "registry does not know", "'TO'", "调出"):
        assert part in message


def test_shifted_header_block_names_the_cell(tmp_path):
    # headers one column right of their codes: 出口 over OF, 国内省外流出 over IM, …
    headers = [h for h, _ in BLOCK]
    block = [(h, c) for h, (_, c) in zip([headers[0], "其他", *headers[1:-1]], BLOCK)]
    with pytest.raises(SourceFileError) as caught:
        parse(_table(tmp_path, _grid_with_block(block)), tmp_path)
    message = str(caught.value)
    assert "cell AU3" in message and "header '其他' over code EX" in message


def test_values_in_a_column_without_header_are_refused(tmp_path):
    with pytest.raises(SourceFileError) as caught:
        parse(_table(tmp_path, _grid_with_block(extra_value=7)), tmp_path)
    assert "cell AZ5" in str(caught.value) and "no header and no code" in str(caught.value)
