"""Input-output tables: all 125 real tables parse, and every sector's total output and value
added equals the independent long extraction in the same folder."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest

from orchestration.ingest.catalogue import Catalogue
from orchestration.ingest.errors import SourceFileError
from orchestration.ingest.io_table import parse_io_table
from orchestration.ingest.load import load_family

FAMILY = Catalogue.load().families["io_tables"]


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
    joined = real_rows.merge(
        long, on=["source_file", "io_code", "indicator"], how="outer", suffixes=("", "_reference"), indicator=True
    )
    assert joined["_merge"].eq("both").all()
    assert len(joined) == 125 * 42 * 2
    assert (joined["value"] - joined["value_reference"]).abs().max() < 1e-6
    # the parsed region, year and sector name agree with the extraction's
    assert (joined["province_label"] == joined["province"]).all()
    assert (joined["year"] == joined["year_reference"]).all()
    assert (joined["industry_label"] == joined["io_sector"].str.replace(r"\s", "", regex=True)).all()


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
    )


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
