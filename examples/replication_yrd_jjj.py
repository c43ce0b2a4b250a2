# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Replicating the YRD vs Jing-Jin-Ji study from the published warehouse
#
# The tables of Li Lei (2016), 《长三角地区制造业的转型升级以及地区专业化与协同发展研究》, rebuilt
# from the published file `WAREHOUSE_DIR/marts.duckdb` in a few lines each. Every number is a
# published value: the metrics are defined once, in the dbt models (their formulas are in the dbt
# docs, `make docs`); this notebook only selects and pivots.
#
# Open it with `jupytext --to notebook examples/replication_yrd_jjj.py` (or in JupyterLab with
# jupytext), after `make run`; set `WAREHOUSE_DIR` to read another warehouse.
#
# Choices, stated once:
# - indicator: 主营业务收入 (main business revenue, 亿元) of enterprises above designated size;
# - span 2005–2014, the refresh's default comparison pair (`REPORT_PAIRS=yrd:jjj:2005:2014`);
#   another pair or span: change `A`, `B`, `FROM`, `TO` and write its sets with
#   `make report A= B= FROM= TO=` (tables 2–4 and figure 2 need the pair's industry sets);
# - industry sets: `span_2005_2014` (the divisions every member of a group reports in every year)
#   within a group; `pair_yrd_jjj_2005_2014` (those both groups report) between the groups.

# %%
import os
from pathlib import Path

import duckdb
import pandas as pd


def warehouse_dir() -> Path:
    """WAREHOUSE_DIR, else the checkout's `warehouse/`, found from the checkout or from `examples/`
    (where Jupyter starts the kernel of this notebook)."""
    if os.environ.get("WAREHOUSE_DIR"):
        return Path(os.environ["WAREHOUSE_DIR"])
    here = Path.cwd().resolve()
    return next(
        (d / "warehouse" for d in (here, *here.parents) if (d / "warehouse" / "marts.duckdb").exists()),
        here / "warehouse",
    )


WAREHOUSE_DIR = warehouse_dir()
con = duckdb.connect(str(WAREHOUSE_DIR / "marts.duckdb"), read_only=True)
A, B, FROM, TO = "yrd", "jjj", 2005, 2014
INDICATOR = "main_business_revenue"
SPAN_SET, PAIR_SET = f"span_{FROM}_{TO}", f"pair_{A}_{B}_{FROM}_{TO}"
params = {"a": A, "b": B, "from": FROM, "to": TO, "indicator": INDICATOR}


def q(sql: str, **extra) -> pd.DataFrame:
    """A query of the published file, with the choices above as $parameters."""
    named = {**params, **extra}
    return con.execute(sql, {k: v for k, v in named.items() if f"${k}" in sql}).df()


# %% [markdown]
# ## 图1 Manufacturing output and its growth by province
# Output of manufacturing (制造业合计, industry `C`), 亿元, and its growth on the year before
# (`mart_growth`, base year = year − 1; null where the year before is missing). Growth across a
# break in the series is published, not left out: the 2011 classification change, the survey's
# changes of scope and the level shifts detected in a province's series. `series_breaks` names
# them; the second table lists the growth rates that cross one, which a study of growth should
# treat apart.

# %%
figure1 = q("""
    select s.group_code, p.name_short_zh as province, s.year, s.value as output_yi,
        gr.growth_rate as growth_on_previous_year, gr.series_breaks
    from mart_group_member_share as s
    join dim_province as p on p.province_code = s.province_code
    left join mart_growth as gr on gr.province_code = s.province_code and gr.industry_code = 'C'
        and gr.indicator = s.indicator and gr.year = s.year and gr.base_year = s.year - 1
    where s.group_code in ($a, $b) and s.industry_code = 'C' and s.indicator = $indicator
        and s.year between $from and $to
    order by all
""")
figure1_output = figure1.pivot_table(index="province", columns="year", values="output_yi", sort=False).sort_index(
    axis=1
)
figure1_growth = figure1.pivot_table(
    index="province", columns="year", values="growth_on_previous_year", sort=False
).sort_index(axis=1)
figure1_output.round(1)

# %%
figure1.loc[figure1.series_breaks.notna(), ["province", "year", "growth_on_previous_year", "series_breaks"]]

# %%
figure1_output.T.plot(title="Manufacturing main business revenue", ylabel="100 million yuan", xlabel="year")
# %% [markdown]
# ## 表2 Factor-intensity shares by period
# Share of labour-, capital- and technology-intensive divisions (metrics.md mapping, seed
# `factor_intensity_class`) in each province's manufacturing, on the group's span set; the mean of
# the yearly shares over each period, in %.

# %%
PERIODS = {"2005–2009": (2005, 2009), "2010–2014": (2010, 2014)}
shares = q(
    """
    select s.universe_code as group_code, p.name_short_zh as province, s.year, s.intensity_class, s.share
    from mart_intensity_shares_by_set as s
    join dim_province as p using (province_code)
    where s.universe_code in ($a, $b) and s.industry_set = $span_set and s.indicator = $indicator
""",
    span_set=SPAN_SET,
)
shares["period"] = shares["year"].map({y: name for name, (lo, hi) in PERIODS.items() for y in range(lo, hi + 1)})
table2 = 100 * shares.pivot_table(
    index=["group_code", "province"], columns=["period", "intensity_class"], values="share", sort=False
)
table2.round(1)

# %% [markdown]
# ## 表3 Bilateral specialization matrices
# Krugman's bilateral index K[i,j] = Σk |s[i,k] − s[j,k]| (0 identical structures, 2 disjoint) of
# every two provinces of both groups, on the pair set, in the first and last year.

# %%
bilateral = q(
    """
    select b.year, p.name_short_zh as province, r.name_short_zh as partner, b.krugman_bilateral
    from mart_specialization_bilateral_by_set as b
    join dim_province as p on p.province_code = b.province_code
    join dim_province as r on r.province_code = b.partner_province_code
    where b.universe_code = $a || '+' || $b and b.industry_set = $pair_set and b.indicator = $indicator
        and b.year in ($from, $to)
""",
    pair_set=PAIR_SET,
)
table3 = {
    year: frame.pivot_table(index="province", columns="partner", values="krugman_bilateral")
    for year, frame in bilateral.groupby("year")
}
table3[FROM].round(3)

# %%
table3[TO].round(3)

# %% [markdown]
# ## 表4 Divisions with LQ ≥ 1 by province within the YRD
# Location quotients LQ[i,k] = s[i,k] / S[k] within the YRD (the reference is the YRD's own
# structure), on its span set; the divisions at or above the threshold (`lq_threshold`, 1), in the
# first and last year. The comparison report's section 5 differs on purpose: its reference is the
# two groups together (`yrd+jjj`), on the pair set, so its counts of divisions differ.

# %%
specialised = q(
    """
    select l.year, p.name_short_zh as province, l.industry_code, i.name_zh as division, l.lq
    from mart_location_quotient_by_set as l
    join dim_province as p using (province_code)
    join dim_industry as i using (industry_code)
    where l.universe_code = $a and l.industry_set = $span_set and l.indicator = $indicator
        and l.year in ($from, $to) and l.is_specialised
    order by l.year, p.province_code, l.lq desc
""",
    span_set=SPAN_SET,
)
table4 = specialised.groupby(["year", "province"], sort=False).agg(
    n_divisions=("industry_code", "count"),
    divisions=("division", lambda names: "、".join(names)),
)
table4

# %% [markdown]
# ## 图2 Relative specialization by year
# Krugman's relative specialization index of each province against the rest of its own group
# (Krel, 0–2), on the group's span set. In a year a member has no data the group is incomplete and
# its other members are compared with a smaller rest (listed below the table).

# %%
relative = q(
    """
    select r.universe_code as group_code, p.name_short_zh as province, r.year, r.krugman_vs_rest,
        r.is_universe_complete
    from mart_specialization_relative_by_set as r
    join dim_province as p using (province_code)
    where r.universe_code in ($a, $b) and r.industry_set = $span_set and r.indicator = $indicator
        and r.year between $from and $to
""",
    span_set=SPAN_SET,
)
figure2 = relative.pivot_table(index=["group_code", "province"], columns="year", values="krugman_vs_rest")
figure2.round(3)

# %%
relative.loc[~relative["is_universe_complete"], ["group_code", "year"]].drop_duplicates()

# %%
figure2.T.plot(title="Relative specialization Krel", ylabel="Krel (0-2)", xlabel="year")
