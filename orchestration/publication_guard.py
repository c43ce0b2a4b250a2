"""Compare a validated build with the current publication before replacing it.

The gates prove a build is internally sound; they cannot see that it is *smaller* or *different*
from what users already rely on. A refresh from an emptied, wrong or half-copied raw directory
passes every range check and would still publish wrong numbers. So before the rename:

- never publish a build that read no source file at all;
- never publish a province whose series equal another province's, cell for cell (a Wind export
  saved under another province's file name);
- unless the user says the change is intended (``allow_changes``), refuse when
  - the raw directory differs from the one the current publication was built from (a publication
    made from the project's synthetic samples is the exception: real extracts replace it freely,
    and nothing else is compared with it),
  - a source family became empty (the REGION_GROUPS_FILE among them), or source files disappeared,
  - a province or a year disappeared from an indicator, or more than ``MAX_LOST_VALUE_SHARE`` of the
    published values did,
  - a series was rewritten: most of its overlapping years differ by more than
    ``REWRITTEN_TOLERANCE`` (two labels swapped in a file rewrite both series; a yearbook revision
    touches a year or two),
  - a comparison pair whose industry sets are published would no longer be (REPORT_PAIRS lost it).

- always, whatever ``allow_changes`` says, refuse an implausible magnitude (``_magnitude``): a
  province's values against the current publication's (median ratio over its series), and per
  province-year its manufacturing revenue against its GDP and its share of the national total.
  A unit slip (yuan in a 万元 column) is not a change anyone intends.

Each refusal says what changed, with counts and names.

The rules that need only file lists (`compare_file_lists`) are decided three times from one
definition: by `make run` before anything is parsed (orchestration/preflight.py, over the
catalogue's listing of RAW_DIR), by the first step of every run that publishes (raw/file_list, the
same listing), and here over the files the build actually read.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from .settings import built_from_samples, is_sample_raw_dir

MAX_LOST_VALUE_SHARE = 0.005
REWRITTEN_TOLERANCE = 0.01
REWRITTEN_MIN_YEARS = 3
IDENTICAL_MIN_VALUES = 20
LISTED = 8

# Magnitude bounds (always blocking; docs/magnitude-and-quarantine.md gives the real-panel numbers).
# A province's values over the current publication's, median over its series: yearbook revisions
# and real level shifts keep it near 1; a unit slip moves it by a power of ten.
MAGNITUDE_PUBLICATION_FACTOR = 3.0
# Manufacturing main business revenue over the province's GDP (both 亿元), per province-year.
MAGNITUDE_REVENUE_TO_GDP = (0.02, 6.0)
# A province's share of the national manufacturing revenue, judged only when at least
# MAGNITUDE_SHARE_MIN_PROVINCES provinces report that year (else the "nation" is a few provinces).
MAGNITUDE_MAX_NATIONAL_SHARE = 0.3
MAGNITUDE_SHARE_MIN_PROVINCES = 25
MAGNITUDE_INDICATOR = "main_business_revenue"


@dataclass
class Comparison:
    always_blocking: list[str] = field(default_factory=list)
    intended_only: list[str] = field(default_factory=list)  # blocks unless allow_changes
    notes: list[str] = field(default_factory=list)  # said, never blocking
    replaces_samples: bool = False  # the current publication is the samples': values are not compared

    def problems(self, allow_changes: bool) -> list[str]:
        return self.always_blocking + ([] if allow_changes else self.intended_only)


ALLOW_HINT = (
    "If the change is intended, refresh again with allow_changes (make run ALLOW_CHANGES=1, or "
    "ops: publish__publication: config: allow_changes: true in the Launchpad)."
)


def refusal_message(comparison: Comparison, allow_changes: bool, heading: str, published_db: Path) -> str | None:
    """The refusal as the user reads it (the guard's failure, `make run`'s pre-flight), or None."""
    problems = comparison.problems(allow_changes)
    if not problems:
        return None
    hint = f"\n{ALLOW_HINT}" if comparison.intended_only and not allow_changes else ""
    unchanged = (
        f"The published file {published_db} is unchanged."
        if published_db.exists()
        else f"Nothing was published ({published_db} does not exist)."
    )
    return f"{heading}\n- " + "\n- ".join(problems) + hint + f"\n{unchanged}"


def _names(values, limit: int = LISTED) -> str:
    values = [str(v) for v in values]
    shown = ", ".join(values[:limit])
    return shown + (f" and {len(values) - limit} more" if len(values) > limit else "")


REGION_GROUPS_FAMILY = "region_groups"


@dataclass(frozen=True)
class PublishedFrom:
    """What the current publication was built from: its raw directory and its source files."""

    raw_dir: str | None
    from_samples: bool
    files: tuple[tuple[str, str, int], ...]  # (source_family, source_file, n_values)

    @classmethod
    def read(cls, published_db: Path) -> PublishedFrom | None:
        """From the published file's manifest and publication_source_file; None when nothing is published."""
        if not published_db.exists():
            return None
        with duckdb.connect(str(published_db), read_only=True) as con:
            files = con.execute(
                "select source_family, source_file, n_values from publication_source_file order by all"
            ).fetchall()
            row = con.execute("select manifest from publication_manifest order by published_at desc limit 1").fetchone()
        manifest = json.loads(row[0]) if row else {}
        return cls(manifest.get("raw_dir"), built_from_samples(manifest), tuple(files))


def compare_file_lists(
    published: PublishedFrom | None, raw_dir: Path, current: Iterable[tuple[str, str]]
) -> Comparison:
    """The rules decidable from the raw directory and its file list alone.

    ``current`` is (source_family, source_file) of every source file of this refresh: before
    parsing, every file the catalogue assigns (and the REGION_GROUPS_FILE); after it, the files
    that yielded values (raw.source_file).
    """
    result = Comparison()
    current = sorted(set(current))
    if not any(family != REGION_GROUPS_FAMILY for family, _ in current):
        result.always_blocking.append(
            f"The raw-data directory {raw_dir} yielded no source file with any value: an empty build is "
            "never published."
        )
        return result
    if published is None:
        return result
    if published.from_samples and not is_sample_raw_dir(raw_dir):
        result.replaces_samples = True
        result.notes.append(
            f"The current publication was built from the project's synthetic samples ({published.raw_dir}); "
            f"this refresh replaces it with the extracts in {raw_dir} without comparing the two, as sample "
            "values are not statistics. (Real extracts are never replaced by the samples, or by another "
            "directory's extracts, unless the change is allowed.)"
        )
        return result
    _raw_dir_changed(published, raw_dir, result)
    _families_and_files(published, current, result)
    return result


def compare_with_publication(build_db: Path, published_db: Path, raw_dir: Path) -> Comparison:
    with duckdb.connect(str(build_db), read_only=True) as con:
        read = con.execute("select source_family, source_file from raw.source_file where n_values > 0").fetchall()
        published = PublishedFrom.read(published_db)
        result = compare_file_lists(published, raw_dir, read)
        if result.always_blocking:
            return result
        _identical_provinces(con, result)
        _magnitude_within_build(con, result)
        # samples are not statistics: real extracts replacing them are not compared with them
        if published is None or result.replaces_samples:
            return result
        con.execute(f"attach '{published_db}' as published (read_only)")
        _magnitude_against_publication(con, result)
        _lost_values(con, result)
        _rewritten_series(con, result)
        _pairs_dropped(con, result)
    return result


def _identical_provinces(con, result: Comparison) -> None:
    rows = con.execute(f"""
        with v as (
            select province_code, industry_code, year, indicator, value
            from marts.fct_industry_indicator where value is not null and value <> 0
        )
        select a.indicator, a.province_code, b.province_code, count(*) as n,
               list(distinct fa.source_files[1]) as files_a, list(distinct fb.source_files[1]) as files_b
        from v a
        join v b using (industry_code, year, indicator)
        join marts.fct_industry_indicator fa
            on fa.province_code = a.province_code and fa.industry_code = a.industry_code
            and fa.year = a.year and fa.indicator = a.indicator
        join marts.fct_industry_indicator fb
            on fb.province_code = b.province_code and fb.industry_code = b.industry_code
            and fb.year = b.year and fb.indicator = b.indicator
        where a.province_code < b.province_code
        group by all
        having count(*) >= {IDENTICAL_MIN_VALUES} and bool_and(a.value = b.value)
        order by all
    """).fetchall()
    for indicator, first, second, n, files_a, files_b in rows:
        result.always_blocking.append(
            f"Provinces {first} and {second} have identical {indicator} series: all {n} values they share are "
            f"equal (files {_names(files_a)} and {_names(files_b)}). Is one province's export saved under the "
            "other's file name? Nothing was published."
        )


def _raw_dir_changed(published: PublishedFrom, raw_dir: Path, result: Comparison) -> None:
    if not published.raw_dir or Path(published.raw_dir).resolve() == raw_dir.resolve():
        return
    if is_sample_raw_dir(raw_dir):
        consequence = (
            ", the project's synthetic samples. Publishing it would replace the published extracts' numbers "
            "with synthetic values."
        )
    else:
        consequence = (
            ". Publishing it would replace every published number with ones from another collection of extracts."
        )
    result.intended_only.append(
        f"The current publication was built from {published.raw_dir}; this refresh read {raw_dir}{consequence}"
    )


def _stem(source_file: str) -> str:
    """A file saved again in another format (上海.xls -> 上海.xlsx) replaces it; it is not gone."""
    return re.sub(r"\.[^./]+$", "", source_file)


def _families_and_files(published: PublishedFrom, current: list[tuple[str, str]], result: Comparison) -> None:
    families_now = {family for family, _ in current}
    before: dict[str, list[tuple[str, int]]] = {}
    for family, file, n_values in published.files:
        before.setdefault(family, []).append((file, n_values))
    emptied = sorted(family for family in before if family not in families_now)
    for family in emptied:
        files, cells = len(before[family]), sum(n for _, n in before[family])
        if family == REGION_GROUPS_FAMILY:
            result.intended_only.append(
                f"The current publication was built with the region groups file "
                f"{_names(file.removeprefix('REGION_GROUPS_FILE:') for file, _ in before[family])} "
                f"({cells} group members); this refresh reads no REGION_GROUPS_FILE, so those groups would "
                "disappear from every universe metric."
            )
        else:
            result.intended_only.append(
                f"Source family {family} became empty: the current publication holds {files} files and {cells} "
                "cells of it, this refresh found none."
            )
    stems_now = {_stem(file) for _, file in current}
    gone = [file for family, file, _ in published.files if family not in emptied and _stem(file) not in stems_now]
    if gone:
        result.intended_only.append(
            f"{len(gone)} source {'file' if len(gone) == 1 else 'files'} of the current publication "
            f"{'is' if len(gone) == 1 else 'are'} gone from the raw-data directory: {_names(gone)}."
        )


def _lost_values(con, result: Comparison) -> None:
    lost = con.execute("""
        select p.indicator, p.province_code, p.year
        from published.fct_industry_indicator p
        left join marts.fct_industry_indicator n using (province_code, industry_code, year, indicator)
        where p.value is not null and n.value is null
    """).df()
    if lost.empty:
        return
    published = con.execute("""
        select indicator, province_code, year, count(*) as n from published.fct_industry_indicator
        where value is not null group by all
    """).df()
    now = con.execute("""
        select indicator, province_code, year, count(*) as n from marts.fct_industry_indicator
        where value is not null group by all
    """).df()
    keys_now = set(map(tuple, now[["indicator", "province_code"]].values))
    provinces_gone = sorted({(i, p) for i, p in published[["indicator", "province_code"]].values} - keys_now)
    years_now = set(map(tuple, now[["indicator", "year"]].values))
    years_gone = sorted({(i, int(y)) for i, y in published[["indicator", "year"]].values} - years_now)
    cells_now = set(map(tuple, now[["indicator", "province_code", "year"]].values))
    province_years_gone = sorted(
        (i, p, int(y))
        for i, p, y, n in published.values
        if (i, p, y) not in cells_now and n >= 5 and (i, p) not in provinces_gone and (i, int(y)) not in years_gone
    )
    for indicator, province in provinces_gone:
        result.intended_only.append(
            f"Province {province} disappeared from {indicator}: the current publication "
            "has values for it, this refresh has none."
        )
    for indicator, year in years_gone:
        result.intended_only.append(f"Year {year} disappeared from {indicator}.")
    if province_years_gone:
        result.intended_only.append(
            f"{len(province_years_gone)} province-years disappeared: "
            f"{_names(f'{p} {y} ({i})' for i, p, y in province_years_gone)}."
        )
    share = len(lost) / max(int(published["n"].sum()), 1)
    if share > MAX_LOST_VALUE_SHARE and not (provinces_gone or years_gone or province_years_gone):
        result.intended_only.append(
            f"{len(lost)} published values ({share:.1%}, more than {MAX_LOST_VALUE_SHARE:.1%}) would become empty, "
            f"e.g. {_names(f'{p} {y} ({i})' for i, p, y in lost.head(LISTED).values)}."
        )


def _rewritten_series(con, result: Comparison) -> None:
    rows = con.execute(f"""
        select p.indicator, p.province_code, p.industry_code, count(*) as n_years,
               count(*) filter (where abs(n.value - p.value) > {REWRITTEN_TOLERANCE} * abs(p.value)) as n_changed,
               any_value(n.source_files[1]) as source_file
        from published.fct_industry_indicator p
        join marts.fct_industry_indicator n using (province_code, industry_code, year, indicator)
        where p.value is not null and n.value is not null and p.value <> 0
        group by all
        having count(*) >= {REWRITTEN_MIN_YEARS} and n_changed * 2 > count(*)
        order by all
    """).fetchall()
    if rows:
        listed = _names(f"{p}/{k} ({i}, {c} of {n} years, {f})" for i, p, k, n, c, f in rows)
        result.intended_only.append(
            f"{len(rows)} series were rewritten: most of their years differ from the current publication by more "
            f"than {REWRITTEN_TOLERANCE:.0%}, which a yearbook revision does not do but swapped labels or a "
            f"wrong file do: {listed}."
        )


def _pairs_dropped(con, result: Comparison) -> None:
    """The comparison pairs (REPORT_PAIRS) whose industry sets the publication holds and this build lacks."""
    tables = {
        (r[0], r[1])
        for r in con.execute("select database_name, schema_name || '.' || table_name from duckdb_tables()").fetchall()
    }
    if not {("published", "main.mart_location_quotient_by_set"), ("build", "marts.mart_location_quotient_by_set")} <= (
        tables
    ):
        return  # a publication from before industry sets
    dropped = con.execute("""
        select distinct universe_code, industry_set from published.mart_location_quotient_by_set
        where industry_set like 'span_%' or industry_set like 'pair_%'
        except
        select distinct universe_code, industry_set from marts.mart_location_quotient_by_set
    """).fetchall()
    pairs = set()
    for universe, industry_set in dropped:
        years = industry_set.rsplit("_", 2)[1:]
        if industry_set.startswith("pair_") and "+" in universe:
            pairs.add(":".join([*universe.split("+", 1), *years]))  # group codes may hold '_', never '+'
    explained = {(code, f"span_{p.split(':')[2]}_{p.split(':')[3]}") for p in pairs for code in p.split(":")[:2]}
    for universe, industry_set in dropped:
        if industry_set.startswith("span_") and "+" not in universe and (universe, industry_set) not in explained:
            pairs.add(":".join([universe, universe, *industry_set.rsplit("_", 2)[1:]]))  # a span set alone
    if pairs:
        result.intended_only.append(
            f"The current publication holds the industry sets of the comparison pair(s) {_names(sorted(pairs))}, "
            "which this refresh does not build (REPORT_PAIRS no longer lists them): their rows would leave the "
            "_by_set marts. List them in REPORT_PAIRS to keep them published (make report computes any pair "
            "without them)."
        )


def _factor(ratio: float) -> str:
    """×10,000 for a ratio near a power of ten (a unit slip), else ×15,841, ×2.7 or ×0.00412."""
    if ratio > 0:
        power = round(math.log10(ratio))
        if power != 0 and abs(math.log10(ratio) - power) < 0.02:
            return f"×{10.0**power:,.0f}" if power > 0 else f"×1/{10.0 ** (-power):,.0f}"
    return f"×{ratio:,.0f}" if ratio >= 100 else f"×{ratio:.3g}"


def _province_names(con) -> dict[str, str]:
    return dict(con.execute("select province_code, name_short_zh from marts.dim_province").fetchall())


def _magnitude_against_publication(con, result: Comparison) -> None:
    """A province's values against the current publication's: per series the median ratio over the
    overlapping years, then the median over the province's series."""
    rows = con.execute(f"""
        with series as (
            select p.indicator, p.province_code, p.industry_code,
                   median(n.value / p.value) as ratio, any_value(n.source_files[1]) as source_file
            from published.fct_industry_indicator p
            join marts.fct_industry_indicator n using (province_code, industry_code, year, indicator)
            where p.value > 0 and n.value > 0
            group by all
        )
        select indicator, province_code, median(ratio) as ratio, count(*) as n_series,
               list(distinct source_file order by source_file) as files
        from series
        group by all
        having median(ratio) >= {MAGNITUDE_PUBLICATION_FACTOR} or median(ratio) <= 1 / {MAGNITUDE_PUBLICATION_FACTOR}
        order by all
    """).fetchall()
    names = _province_names(con)
    for indicator, province, ratio, n_series, files in rows:
        result.always_blocking.append(
            f"{names.get(province, province)}'s values are {_factor(ratio)} the current publication's, median over "
            f"{n_series} series ({indicator}, province {province}, {_names(files)}): a unit slip? The rule "
            f"(publication_guard magnitude) refuses a median outside ×1/{MAGNITUDE_PUBLICATION_FACTOR:g}–"
            f"×{MAGNITUDE_PUBLICATION_FACTOR:g}, with or without allow_changes."
        )


def _magnitude_within_build(con, result: Comparison) -> None:
    """Per province-year: manufacturing revenue against the province's GDP (when GDP was read) and,
    when enough provinces report, against the national total."""
    low, high = MAGNITUDE_REVENUE_TO_GDP
    names = _province_names(con)
    against_gdp = con.execute(f"""
        with gdp as (
            select province_code, year, avg(gdp) as gdp
            from marts.fct_province_gdp where gdp > 0 group by all
        )
        select c.province_code, c.year, c.manufacturing_total, gdp.gdp,
               c.manufacturing_total / gdp.gdp as ratio, f.source_files[1] as source_file
        from marts.fct_manufacturing_coverage c
        join gdp using (province_code, year)
        left join marts.fct_industry_indicator f
            on f.province_code = c.province_code and f.year = c.year and f.indicator = c.indicator
            and f.industry_code = 'BCD'
        where c.indicator = '{MAGNITUDE_INDICATOR}' and c.manufacturing_total > 0
            and (c.manufacturing_total / gdp.gdp < {low} or c.manufacturing_total / gdp.gdp > {high})
        order by all
    """).fetchall()
    for province, year, total, gdp, ratio, source_file in against_gdp:
        result.always_blocking.append(
            f"{names.get(province, province)} {year}: manufacturing revenue {total:,.1f} 亿元 is {_factor(ratio)} "
            f"its GDP ({gdp:,.1f} 亿元){f' ({source_file})' if source_file else ''}, outside the plausible "
            f"{low:g}–{high:g}: a unit slip? (publication_guard magnitude; allow_changes does not publish it)"
        )
    shares = con.execute(f"""
        with totals as (
            select province_code, year, manufacturing_total,
                   manufacturing_total / sum(manufacturing_total) over (partition by year) as share,
                   count(*) over (partition by year) as n_provinces
            from marts.fct_manufacturing_coverage
            where indicator = '{MAGNITUDE_INDICATOR}' and manufacturing_total > 0
        )
        select province_code, year, manufacturing_total, share, n_provinces from totals
        where n_provinces >= {MAGNITUDE_SHARE_MIN_PROVINCES} and share > {MAGNITUDE_MAX_NATIONAL_SHARE}
        order by all
    """).fetchall()
    for province, year, total, share, n_provinces in shares:
        result.always_blocking.append(
            f"{names.get(province, province)} {year}: manufacturing revenue {total:,.1f} 亿元 is {share:.1%} of the "
            f"national total of {n_provinces} provinces, more than the plausible {MAGNITUDE_MAX_NATIONAL_SHARE:.0%}: "
            "a unit slip? (publication_guard magnitude; allow_changes does not publish it)"
        )
