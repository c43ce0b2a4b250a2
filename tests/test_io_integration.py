"""Known answers for the input-output integration marts: a two-province table worked out by hand,
run through the compiled SQL of mart_io_integration, mart_io_row_identity, mart_io_concentration
and mart_io_specialization (docs/integration.md)."""

from __future__ import annotations

import pandas as pd
import pytest

ROW_COLUMNS = [
    "region_code",
    "region_kind",
    "year",
    "io_code",
    "io_sector_name",
    "section",
    "trade_layout",
    "intermediate_use",
    "final_consumption",
    "gross_capital_formation",
    "exports",
    "outflow_domestic",
    "outflow_total",
    "net_outflow_total",
    "final_use",
    "imports",
    "inflow_domestic",
    "inflow_total",
    "other",
    "gross_output",
    "use_side_total",
    "total_input",
    "identity_cells",
    "source_file",
    "source_sheet",
]


def io_row(region, io_code, section, *, tiu, tc, gcf, ex, of, im, inflow, go, year=2012, layout="split", ti=None):
    """A sector row with the 2012 layout; use_side_total and final_use follow from the flows."""
    row = dict.fromkeys(ROW_COLUMNS)
    row.update(
        region_code=region,
        region_kind="province",
        year=year,
        io_code=io_code,
        io_sector_name=f"sector {io_code}",
        section=section,
        trade_layout=layout,
        intermediate_use=tiu,
        final_consumption=tc,
        gross_capital_formation=gcf,
        exports=ex,
        outflow_domestic=of,
        imports=im,
        inflow_domestic=inflow,
        other=0.0,
        gross_output=go,
        final_use=tc + gcf + ex + of,
        use_side_total=tiu + tc + gcf + ex + of - im - inflow,
        total_input=go if ti is None else ti,
        identity_cells="AT7, AZ7",
        source_file=f"io-tables/{region}.xls",
        source_sheet="Sheet",
    )
    return row


def flow_rows() -> pd.DataFrame:
    rows = [
        # A (310000), manufacturing 06: domestic use 50 + 20 + 15 = 85; balances: 85 + 10 + 30 − 5 − 20 = 100
        io_row("310000", "06", "manufacturing", tiu=50, tc=20, gcf=15, ex=10, of=30, im=5, inflow=20, go=100),
        # B (320000), manufacturing 06: domestic use 80; 80 + 0 + 10 − 10 − 40 = 40, but GO 50: off by 10
        io_row("320000", "06", "manufacturing", tiu=60, tc=10, gcf=10, ex=0, of=10, im=10, inflow=40, go=50),
        # A, agriculture 01 (not manufacturing): 20 + 5 − 5 = 20
        io_row("310000", "01", "other", tiu=10, tc=5, gcf=5, ex=0, of=5, im=0, inflow=5, go=20, ti=21),
        # B, 01: nothing produced
        io_row("320000", "01", "other", tiu=0, tc=0, gcf=0, ex=0, of=0, im=0, inflow=0, go=0),
    ]
    # A 2007: 流出 / 流入 with exports and imports inside
    gross = io_row("310000", "06", "manufacturing", tiu=50, tc=20, gcf=15, ex=0, of=0, im=0, inflow=0, go=100)
    gross.update(
        year=2007, trade_layout="gross_total", exports=None, imports=None, outflow_domestic=None, inflow_domestic=None
    )
    gross.update(outflow_total=40.0, inflow_total=25.0, use_side_total=100.0, final_use=75.0)
    return pd.DataFrame([*rows, gross], columns=ROW_COLUMNS).astype({"year": "int32"})


@pytest.fixture
def integration(model_runner):
    model_runner.given("intermediate", "int_io_flow_rows", flow_rows())
    members = pd.DataFrame({"group_code": ["g", "g"], "province_code": ["310000", "320000"]})
    model_runner.given("intermediate", "int_region_group_member", members)
    built = model_runner.build("marts", "mart_io_integration")
    return built.set_index(["level", "unit_code", "io_code", "year"]).sort_index()


def test_province_sector_indices(integration):
    a = integration.loc[("province_sector", "310000", "06", 2012)]
    assert a.outflow_share == pytest.approx(30 / 100)
    assert a.inflow_share_of_domestic_use == pytest.approx(20 / 85)
    assert a.interprovincial_trade_intensity == pytest.approx(50 / 100)
    assert a.foreign_trade_intensity == pytest.approx(15 / 100)
    assert a.domestic_share_of_external_trade == pytest.approx(50 / 65)
    assert pd.isna(a.null_reason)
    b = integration.loc[("province_sector", "320000", "06", 2012)]
    assert (b.outflow_share, b.inflow_share_of_domestic_use, b.interprovincial_trade_intensity) == pytest.approx(
        (0.2, 0.5, 1.0)
    )
    assert b.domestic_share_of_external_trade == pytest.approx(50 / 60)


def test_sums_are_taken_before_dividing(integration):
    # Σ over both provinces' 06: OF 40, IF 60, EX 10, IM 15, GO 150, domestic use 165
    nation = integration.loc[("nation_sector", "all_provinces", "06", 2012)]
    assert nation.outflow_share == pytest.approx(40 / 150)
    assert nation.inflow_share_of_domestic_use == pytest.approx(60 / 165)
    assert nation.interprovincial_trade_intensity == pytest.approx(100 / 150)
    assert nation.domestic_share_of_external_trade == pytest.approx(100 / 125)
    assert (nation.n_provinces, nation.n_rows) == (2, 2)
    # manufacturing is sector 06 alone here: the province, nation and group totals equal it
    assert integration.loc[("nation_manufacturing", "all_provinces", "manufacturing", 2012)].outflow_share == (
        pytest.approx(40 / 150)
    )
    assert integration.loc[("group_manufacturing", "g", "manufacturing", 2012)].outflow_share == pytest.approx(40 / 150)
    assert integration.loc[("province_manufacturing", "310000", "manufacturing", 2012)].outflow_share == 0.3
    # a group sector sums its members: 01 is A's 5 of 20 plus B's nothing
    assert integration.loc[("group_sector", "g", "01", 2012)].outflow_share == pytest.approx(5 / 20)


def test_null_where_the_edition_does_not_separate_flows_or_nothing_is_produced(integration):
    gross = integration.loc[("province_sector", "310000", "06", 2007)]
    assert gross.null_reason == "edition_prints_flows_with_foreign_trade_inside"
    assert pd.isna(gross.outflow_share) and pd.isna(gross.outflow_domestic)
    empty = integration.loc[("province_sector", "320000", "01", 2012)]
    assert empty.null_reason == "zero_output" and pd.isna(empty.outflow_share)


def test_row_identities_flag_rather_than_drop(model_runner):
    model_runner.given("intermediate", "int_io_flow_rows", flow_rows())
    identity = model_runner.build("marts", "mart_io_row_identity").set_index(["region_code", "year", "io_code"])
    assert len(identity) == 5
    assert identity.loc[("310000", 2012, "06")].identity_flag == "balances"
    off = identity.loc[("320000", 2012, "06")]
    assert (off.identity_flag, off.use_side_residual, off.use_side_balances) == ("use_side_off", -10.0, False)
    # GO 20 against TI 21: the use side balances, total output is not total input
    agriculture = identity.loc[("310000", 2012, "01")]
    assert (agriculture.identity_flag, agriculture.output_input_residual) == ("output_differs_from_input", -1.0)
    assert identity.loc[("310000", 2007, "06")].identity_flag == "balances"
    assert identity.loc[("310000", 2012, "06")].tolerance == pytest.approx(1e-4)  # max(1e-4, 1e-6 × 100)


def test_concentration_and_specialization(model_runner):
    # A: 30 and 10, B: 10 and 50 in two manufacturing sectors; λ = (0.4, 0.6)
    sectors = pd.DataFrame(
        {
            "region_code": ["310000", "310000", "320000", "320000"],
            "region_kind": "province",
            "year": 2012,
            "io_code": ["06", "07", "06", "07"],
            "io_sector_name": ["s06", "s07", "s06", "s07"],
            "section": "manufacturing",
            "total_output": [30.0, 10.0, 10.0, 50.0],
        }
    ).astype({"year": "int32"})
    model_runner.given("intermediate", "int_io_sectors", sectors)
    concentration = model_runner.build("marts", "mart_io_concentration").set_index("io_code")
    # sector 06: σ = (0.75, 0.25); Hoover ½(0.35 + 0.35); curve B then A: 0.6·0.25 + 0.4·1.25 = 0.65
    assert concentration.loc["06", "hoover_localization"] == pytest.approx(0.35)
    assert concentration.loc["06", "locational_gini"] == pytest.approx(0.35)
    # sector 07: σ = (1/6, 5/6); Hoover ½(|1/6 − 0.4| + |5/6 − 0.6|) = 7/30
    assert concentration.loc["07", "hoover_localization"] == pytest.approx(7 / 30)
    specialization = model_runner.build("marts", "mart_io_specialization").set_index("province_code")
    # K[A] = |0.75 − 0.4| + |0.25 − 0.6| = 0.7; K[B] = |1/6 − 0.4| + |5/6 − 0.6| = 7/15
    assert specialization.loc["310000", "krugman_specialization"] == pytest.approx(0.7)
    assert specialization.loc["320000", "krugman_specialization"] == pytest.approx(7 / 15)


# -- the regression table: computed from the marts, written typed and described, published -------


def _build_with_marts(path, n_sectors=16, n_provinces=10, years=(2012, 2017)):
    import duckdb
    import numpy as np

    rng = np.random.default_rng(24)
    con = duckdb.connect(str(path))
    con.execute("create schema marts")
    con.execute("create schema raw")
    sectors = [f"{k:02d}" for k in range(6, 6 + n_sectors)]  # 06-21: the same divisions in 2012 and 2017
    concentration = pd.DataFrame(
        [(s, y, rng.uniform(0.2, 0.6), rng.uniform(0.1, 0.4)) for s in sectors for y in years],
        columns=["io_code", "year", "locational_gini", "hoover_localization"],
    )
    integration = pd.DataFrame(
        [("nation_sector", "all_provinces", s, y, rng.uniform(0.1, 0.5)) for s in sectors for y in years]
        + [
            ("province_manufacturing", f"{p}0000", "manufacturing", y, rng.uniform(0.1, 0.9))
            for p in range(11, 11 + n_provinces)
            for y in years
        ],
        columns=["level", "unit_code", "io_code", "year", "outflow_share"],
    )
    specialization = pd.DataFrame(
        [(f"{p}0000", y, rng.uniform(0.2, 1.0)) for p in range(11, 11 + n_provinces) for y in years],
        columns=["province_code", "year", "krugman_specialization"],
    )
    for name, frame in [
        ("mart_io_concentration", concentration),
        ("mart_io_integration", integration),
        ("mart_io_specialization", specialization),
    ]:
        con.register("frame", frame)
        con.execute(f"create table marts.{name} as select * from frame")
        con.unregister("frame")
    con.execute(
        "create table raw.source_file "
        "(source_family varchar, source_file varchar, file_sha256 varchar, n_values bigint)"
    )
    return con, concentration.merge(integration, on=["io_code", "year"]), specialization


def test_regression_table_is_the_library_fit_typed_described_and_published(tmp_path):
    from orchestration.analysis.integration_regression import TABLE, write_regression_table
    from orchestration.publish import publish_warehouse
    from orchestration.statistics import fit_quadratic_fe

    con, sectors, _ = _build_with_marts(tmp_path / "build.duckdb")
    table = write_regression_table(con).set_index(["model", "term"])
    expected = fit_quadratic_fe(
        sectors.outflow_share,
        sectors.hoover_localization,
        effects={"sector": sectors.io_code, "year": sectors.year},
        groups=sectors.io_code,
    )
    hoover = table.loc[("sector_hoover", "integration_squared")]
    assert hoover.coefficient == pytest.approx(expected.coefficient("t²").estimate, rel=1e-12)
    assert hoover.std_error == pytest.approx(expected.coefficient("t²").se, rel=1e-12)
    assert (hoover.n, hoover.n_clusters, hoover.n_parameters, hoover.n_sectors) == (32, 16, 3 + 15 + 1, 16)
    assert "small sample" in hoover.sample_note.lower()
    assert table.loc[("province_krugman", "integration"), "n"] == 20
    types = dict(
        con.execute(
            "select column_name, data_type from duckdb_columns() where table_name = 'mart_integration_regression'"
        ).fetchall()
    )
    assert types["n"] == "INTEGER" and types["turning_point_interior"] == "BOOLEAN"
    con.close()
    publish_warehouse(tmp_path / "build.duckdb", tmp_path / "published" / "marts.duckdb", tables=(), keep_versions=1)
    with duckdb_connect(tmp_path / "published" / "marts.duckdb") as published:
        [(comment,)] = published.execute(
            "select comment from duckdb_tables() where table_name = 'mart_integration_regression'"
        ).fetchall()
        assert comment == TABLE.description
        described = published.execute(
            "select count(comment) from duckdb_columns() where table_name = 'mart_integration_regression'"
        ).fetchone()[0]
        assert described == len(TABLE.columns)


def test_regression_on_one_edition_says_why_the_sector_models_have_no_estimate(tmp_path):
    from orchestration.analysis.integration_regression import write_regression_table

    con, _, _ = _build_with_marts(tmp_path / "build.duckdb", years=(2012,))
    table = write_regression_table(con)
    # with sector fixed effects a sector seen once says nothing; the pooled province model still fits
    assert table[table.model != "province_krugman"].coefficient.isna().all()
    assert table[table.model == "province_krugman"].n.tolist() == [10, 10]
    sector = table[table.model == "sector_hoover"].iloc[0]
    assert "no unit has a value in two editions" in sector.null_reason
    con.close()


def duckdb_connect(path):
    import duckdb

    return duckdb.connect(str(path), read_only=True)
