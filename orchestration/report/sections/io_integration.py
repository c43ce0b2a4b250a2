"""Section 10 of the comparison report: integration from the input-output tables and the
concentration–integration relation (docs/integration.md, issue 24).

Every number is published: the group-, nation- and province-level indices of mart_io_integration,
Krugman specialization of mart_io_specialization and the coefficients of
mart_integration_regression. The report fits nothing. The fitted curve of the scatter is drawn
from the published b1 and b2; the models absorb fixed effects, so no b0 is published and the curve
is placed at the sample means (ȳ + b1·(x − x̄) + b2·(x² − mean x²): the fitted value with the
fixed effects at their average), which the section says.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...settings import ComparisonPair
from .lookups import display_names, member_codes, name_list, read_frame
from .shapes import INCOMPLETE_MARK, Chart, Section, add_claim

NATION = "all_provinces"
NATION_NAME = "全国（各省合计） all provinces summed"
OTHERS = "other provinces 其他省份"
MEASURES = {
    "outflow_share": ("流出占产出比重", "outflow share of output"),
    "inflow_share_of_domestic_use": ("流入占本地使用比重", "inflow share of domestic use"),
    "interprovincial_trade_intensity": ("省际贸易强度", "inter-provincial trade intensity"),
    "foreign_trade_intensity": ("对外贸易强度", "foreign trade intensity"),
}
MODEL_NAMES = {
    "sector_locational_gini": "sector: locational Gini 行业区位基尼系数",
    "sector_hoover": "sector: Hoover 行业胡佛系数",
    "province_krugman": "province: Krugman 省份克鲁格曼专业化",
}

GROUP_SQL = """
    with editions as (
        select distinct year from mart_io_integration where level = 'nation_manufacturing'
    ),
    units as (
        select group_code as unit_code, n_members from dim_region_group where group_code in (?, ?)
        union all
        select 'all_provinces', null
    )
    select u.unit_code as code, e.year, i.n_provinces as n_with_table, u.n_members, i.trade_layout,
        i.outflow_share, i.inflow_share_of_domestic_use, i.interprovincial_trade_intensity,
        i.foreign_trade_intensity,
        coalesce(i.null_reason, case when i.unit_code is null then 'no_member_table' end) as null_reason
    from units as u
    cross join editions as e
    left join mart_io_integration as i
        on i.unit_code = u.unit_code and i.year = e.year
        and i.level = case when u.unit_code = 'all_provinces' then 'nation_manufacturing'
            else 'group_manufacturing' end
    order by case u.unit_code when ? then 0 when ? then 1 else 2 end, e.year
"""

MEMBER_SQL = """
    select m.group_code, m.province_code, i.year, i.outflow_share, i.inflow_share_of_domestic_use, i.null_reason
    from dim_region_group_member as m
    join mart_io_integration as i
        on i.unit_code = m.province_code and i.level = 'province_manufacturing'
    where m.group_code in (?, ?)
    order by m.group_code = ? desc, m.province_code, i.year
"""

REGRESSION_SQL = """
    select model, term, dependent, regressor, coefficient, std_error, p_value, ci_low, ci_high, n, n_clusters,
        n_parameters, r_squared_within, fixed_effects, turning_point, turning_point_ci_low, turning_point_ci_high,
        turning_point_kind, turning_point_interior, turning_point_note, editions, n_sectors, n_provinces,
        sample_note, null_reason
    from mart_integration_regression
    order by case model when 'sector_locational_gini' then 0 when 'sector_hoover' then 1 else 2 end,
        term = 'integration_squared'
"""

# the province model's sample, as orchestration/analysis/integration_regression.province_panel selects it
SCATTER_SQL = """
    select s.province_code, s.year, i.outflow_share as integration, s.krugman_specialization
    from mart_io_specialization as s
    join mart_io_integration as i
        on i.level = 'province_manufacturing' and i.unit_code = s.province_code and i.year = s.year
    where i.outflow_share is not null and s.krugman_specialization is not null
    order by s.year, s.province_code
"""


def _pct(value) -> str:
    return "null" if value is None or pd.isna(value) else f"{value * 100:.1f} %"


def _num(value, decimals: int = 3) -> str:
    return "null" if value is None or pd.isna(value) else f"{value:.{decimals}f}"


def _group_levels(con, pair: ComparisonPair, names: dict, claims: list, notes: list) -> tuple[pd.DataFrame, list]:
    """(1) the groups' and the nation's manufacturing integration over the editions."""
    groups = (pair.a, pair.b)
    label = {**names, NATION: NATION_NAME}
    group_params = [pair.a, pair.b, pair.a, pair.b]
    levels = read_frame(con, GROUP_SQL, group_params)
    levels.insert(1, "name", levels["code"].map(label))
    levels["is_complete"] = [
        None if u == NATION else bool(pd.notna(p) and p == m)
        for u, p, m in zip(levels.code, levels.n_with_table, levels.n_members, strict=True)
    ]
    editions = sorted(int(y) for y in levels["year"].unique())
    usable = sorted(int(y) for y in levels[levels.code == NATION].dropna(subset=["outflow_share"]).year)
    nation = levels[levels.code == NATION]
    unusable = {int(r.year): r.null_reason for r in nation[nation.outflow_share.isna()].itertuples()}
    text = (
        f"Editions of the provincial input-output tables: {', '.join(map(str, editions)) or 'none'}. "
        + (
            f"Usable (domestic and foreign flows separated): {', '.join(map(str, usable))}. "
            if usable
            else "None separates domestic from foreign flows: every index is null. "
        )
        + (
            "Null elsewhere, not approximated: "
            + "; ".join(f"{y} ({reason})" for y, reason in sorted(unusable.items()))
            + "."
            if unusable
            else ""
        )
    )
    notes.append(add_claim(claims, "io_editions_usable", text, usable, GROUP_SQL, group_params))
    for group in groups:
        _members_claim(con, group, levels, names, claims, notes, group_params)
    for unit in (*groups, NATION):
        rows = levels[(levels.code == unit) & levels.year.isin(usable) & levels.outflow_share.notna()]
        if rows.empty:
            continue
        parts = [
            f"{int(r.year)}{INCOMPLETE_MARK if r.is_complete is False else ''}: outflow {_pct(r.outflow_share)} of "
            f"output, inflow {_pct(r.inflow_share_of_domestic_use)} of domestic use, inter-provincial trade "
            f"{_pct(r.interprovincial_trade_intensity)} and foreign trade {_pct(r.foreign_trade_intensity)} of output"
            for r in rows.itertuples()
        ]
        notes.append(
            add_claim(
                claims,
                f"io_levels_{unit}",
                f"{label.get(unit, unit)}, manufacturing: " + "; ".join(parts) + ".",
                {int(r.year): r.outflow_share for r in rows.itertuples()},
                GROUP_SQL,
                group_params,
            )
        )
    notes.append(
        "A group's flows are its members' summed: the tables record what a province ships to and receives from "
        "all other provinces together, never a partner, so trade between members counts as well "
        "(docs/integration.md). Outflow can exceed output where goods are re-shipped."
    )
    return levels, usable


def _members_claim(con, group: str, levels: pd.DataFrame, names: dict, claims: list, notes: list, params) -> None:
    """Which editions' group sums lack a member (no table that year), named; or that none does."""
    rows = levels[levels.code == group]
    short = rows[~rows.is_complete.astype(bool)]
    members = member_codes(con, group)
    if short.empty:
        text = f"{names.get(group, group)}: every member ({len(members)}) has a table in every edition."
    else:
        lacking = []
        for r in short.itertuples():
            have = {
                c
                for (c,) in con.execute(
                    "select distinct region_code from fct_io_flow where year = ? and region_code in "
                    f"({', '.join('?' for _ in members)})",
                    [int(r.year), *members],
                ).fetchall()
            }
            lacking.append(
                f"{r.year}: {0 if pd.isna(r.n_with_table) else int(r.n_with_table)} of {len(members)} members "
                f"({name_list([m for m in members if m not in have], names)} without a table)"
            )
        text = (
            f"{INCOMPLETE_MARK} {names.get(group, group)}: the group's sums lack members — "
            + "; ".join(lacking)
            + ". Its indices there are those of the members with a table."
        )
    notes.append(add_claim(claims, f"io_members_{group}", text, sorted(int(y) for y in short.year), GROUP_SQL, params))


def _member_shares(con, pair: ComparisonPair, names: dict, editions: list[int]) -> tuple[pd.DataFrame, set]:
    """(2) the members' outflow and inflow shares, province × edition; a member without a table marked."""
    groups = (pair.a, pair.b)
    member_params = [pair.a, pair.b, pair.a]
    member_rows = read_frame(con, MEMBER_SQL, member_params)
    wide_rows = []
    for group in groups:
        for code in member_codes(con, group):
            part = member_rows[(member_rows.group_code == group) & (member_rows.province_code == code)]
            for column, (zh, en) in list(MEASURES.items())[:2]:
                wide_rows.append(
                    {"group_code": group, "group_name": names.get(group, group), "province": names.get(code, code)}
                    | {"measure": f"{zh} {en}"}
                    | {int(y): v for y, v in zip(part.year, part[column], strict=True)}
                )
    members_wide = pd.DataFrame(wide_rows)
    for year in editions:
        if year not in members_wide.columns:
            members_wide[year] = np.nan
    members_wide = members_wide[["group_code", "group_name", "province", "measure", *editions]]
    no_table = {
        (group, year): [
            c
            for c in member_codes(con, group)
            if member_rows[(member_rows.province_code == c) & (member_rows.year == year)].empty
        ]
        for group in groups
        for year in editions
    }
    member_marks = {
        (i, year)
        for i, group in enumerate(members_wide["group_code"])
        for year in editions
        if no_table[(group, year)] and pd.isna(members_wide.iloc[i][year])
    }
    return members_wide, member_marks


def _regression(con, usable: list[int], claims: list, notes: list) -> pd.DataFrame:
    """(3) the regression table as published, the small sample said plainly, each model in words."""
    regression = read_frame(con, REGRESSION_SQL)
    regression.insert(1, "model_name", regression["model"].map(lambda m: MODEL_NAMES.get(m, m)))
    fitted = regression.dropna(subset=["coefficient"])
    if len(regression) == 0:
        text = "mart_integration_regression holds no model: nothing is estimated."
    elif fitted.empty:
        first_reason = regression.groupby("model", sort=False).null_reason.first()
        reasons = "; ".join(f"{MODEL_NAMES.get(m, m)}: {r}" for m, r in first_reason.items())
        text = (
            "No model could be estimated on this publication: "
            + reasons
            + ". The samples are too small: only the editions that separate the flows enter."
        )
    else:
        first = fitted.groupby("model", sort=False).first()
        text = (
            "The samples are small: "
            + "; ".join(
                f"{MODEL_NAMES.get(m, m)} n = {int(r.n)}, {int(r.n_clusters)} clusters, "
                f"{int(r.n_parameters)} parameters (editions {r.editions})"
                for m, r in first.iterrows()
            )
            + f". At most {len(usable)} observation{'s' if len(usable) != 1 else ''} per sector or province (one per "
            "edition that separates the flows): the estimates describe "
            f"{len(usable)} benchmark year{'s' if len(usable) != 1 else ''} and do not test the inverted U."
        )
    notes.append(
        add_claim(claims, "io_regression_sample", text, int(fitted.n.max()) if len(fitted) else 0, REGRESSION_SQL)
    )
    for model, rows in fitted.groupby("model", sort=False):
        b = rows.set_index("term")
        b1, b2 = b.loc["integration"], b.loc["integration_squared"]
        text = (
            f"{MODEL_NAMES.get(model, model)}: b1 = {_num(b1.coefficient)} (SE {_num(b1.std_error)}, "
            f"p = {_num(b1.p_value)}), b2 = {_num(b2.coefficient)} (SE {_num(b2.std_error)}, p = {_num(b2.p_value)}), "
            f"n = {int(b1.n)}, {int(b1.n_clusters)} clusters, within R² = {_num(b1.r_squared_within)}; "
            f"{b1.turning_point_note}."
        )
        value = [b1.coefficient, b2.coefficient]
        notes.append(add_claim(claims, f"io_regression_{model}", text, value, REGRESSION_SQL))
    return regression


def _scatter(con, pair: ComparisonPair, names: dict, fitted: pd.DataFrame, claims: list, notes: list):
    """(4) the province model's sample against integration, the groups' members coloured, with the curve
    of the published b1, b2 placed at the sample means (no b0 is published)."""
    sample = read_frame(con, SCATTER_SQL)
    series_of = {c: names.get(pair.b, pair.b) for c in member_codes(con, pair.b)}
    series_of |= {c: names.get(pair.a, pair.a) for c in member_codes(con, pair.a)}
    sample["series"] = [series_of.get(c, OTHERS) for c in sample.province_code]
    sample["province"] = sample.province_code.map(names)
    province_fit = fitted[fitted.model == "province_krugman"].set_index("term")
    curve = None
    if len(province_fit) == 2 and len(sample):
        b1 = float(province_fit.loc["integration", "coefficient"])
        b2 = float(province_fit.loc["integration_squared", "coefficient"])
        x, y = sample.integration.astype(float), sample.krugman_specialization.astype(float)
        grid = np.linspace(x.min(), x.max(), 80)
        curve = pd.DataFrame({"x": grid, "y": y.mean() + b1 * (grid - x.mean()) + b2 * (grid**2 - (x**2).mean())})
        published_n = int(province_fit.loc["integration", "n"])
        text = (
            f"The curve: the published b1 = {b1:.3f} and b2 = {b2:.3f} of the province model; no b0 is published "
            "(year fixed effects absorb it), so the curve is ȳ + b1·(x − x̄) + b2·(x² − mean x²) over the "
            f"{len(sample)} province-editions drawn — the fitted value with the fixed effects at their average, "
            "its shape, not a level for any edition. Nothing is refitted."
            + (
                ""
                if published_n == len(sample)
                else f" The mart's sample has n = {published_n}, the points drawn {len(sample)}."
            )
        )
        notes.append(add_claim(claims, "io_curve", text, [b1, b2, len(sample)], SCATTER_SQL))
    else:
        text = (
            f"No curve: the province model has no published estimate ({len(sample)} province-edition"
            f"{'s' if len(sample) != 1 else ''} in its sample)."
        )
        notes.append(add_claim(claims, "io_curve", text, len(sample), SCATTER_SQL))
    chart = Chart(
        "scatter_fit",
        "Specialization against integration 专业化与一体化: Krugman (manufacturing IO sectors) on the "
        "manufacturing outflow share, with the published quadratic",
        sample[["integration", "krugman_specialization", "series", "year"]],
        {
            "x": "integration",
            "y": "krugman_specialization",
            "series_order": [names.get(pair.a, pair.a), names.get(pair.b, pair.b), OTHERS],
            "curve": curve,
            "curve_label": "published b1, b2, at the sample means (no b0 published)",
            "xlabel": "outflow share of manufacturing output 制造业省外流出占产出比重 (%)",
            "x_percent": True,
            "ylabel": "Krugman specialization 克鲁格曼专业化指数 (0–2)",
        },
    )
    scatter = sample[["province_code", "province", "series", "year", "integration", "krugman_specialization"]]
    return chart, scatter


def integration(con, pair: ComparisonPair, indicator: str) -> Section:
    names, claims, notes = display_names(con), [], []
    levels, usable = _group_levels(con, pair, names, claims, notes)
    editions = sorted(int(y) for y in levels["year"].unique())
    members_wide, member_marks = _member_shares(con, pair, names, editions)
    regression = _regression(con, usable, claims, notes)
    chart, scatter = _scatter(con, pair, names, regression.dropna(subset=["coefficient"]), claims, notes)
    return Section(
        10,
        "市场一体化与产业集中",
        "Integration and concentration (input-output tables)",
        {
            "indicator": "total output and inter-provincial flows of the provincial input-output tables (亿元); "
            f"not {indicator}",
            "universe": f"{names.get(pair.a, pair.a)}, {names.get(pair.b, pair.b)} (members' tables summed); "
            "the nation = all provinces' tables summed",
            "industry set": "the manufacturing IO sectors of each edition (seed io_sector_division)",
            "coverage": f"editions {', '.join(map(str, editions)) or 'none'}; indices defined in "
            f"{', '.join(map(str, usable)) or 'none'}" + ("; members without a table marked †" if member_marks else ""),
        },
        tables={
            "io_integration_by_group": levels,
            "io_member_shares": members_wide,
            "io_regression": regression[
                [
                    "model",
                    "model_name",
                    "term",
                    "coefficient",
                    "std_error",
                    "p_value",
                    "n",
                    "n_clusters",
                    "r_squared_within",
                    "turning_point",
                    "turning_point_ci_low",
                    "turning_point_ci_high",
                    "turning_point_note",
                    "editions",
                    "null_reason",
                ]
            ],
            "io_regression_published": regression,
            "io_scatter_sample": scatter,
        },
        workbook_only={"io_scatter_sample", "io_regression_published"},
        incomplete_cells={"io_member_shares": member_marks},
        labels={
            "n_with_table": ("有表省份数", "provinces with a table"),
            "measure": ("指标", "measure"),
            "model_name": ("模型", "model"),
            "term": ("变量", "term"),
        },
        charts=[chart],
        notes=notes,
        claims=claims,
    )
