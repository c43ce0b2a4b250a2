"""A comparison pair the refresh did not pre-build, computed at report time by the dbt models' own SQL.

The published file holds the industry sets of the pairs in REPORT_PAIRS. For any other pair of
published groups and span, the report runs the compiled SQL of the models that depend on the pair
(the region-group models, int_metric_input and what follows it up to the `_by_set` marts the report
reads) in a scratch DuckDB. Their inputs are the published file, attached read-only: a model whose
published mart is a plain copy (`select * from {{ ref('x') }}`, e.g. fct_industry_indicator of
int_industry_facts) is read from that mart; the seeds are the project's CSV files; the user's region
groups (source raw_region_group_member) are the published user-defined groups. Nothing is
recomputed in Python and nothing is written to the published file.

dbt compiles the project once per version of it (about 15 s; cached in
dbt_project/target/report_time/) with a placeholder pair; a report then substitutes the relation the
macro comparison_pairs_relation renders for the placeholder with the one it renders for the pair
(tests/test_report_any_pair.py checks the result equals `dbt compile --vars` for that pair).

As in the refresh, every declared group is computed (under a second on the real extracts), so each
sum sees its rows in the refresh's order and a pre-built pair computed again here is bit for bit
the published one. The report then reads a catalog whose tables are the published ones plus, in
the marts the pair depends on, the rows of universes and industry sets the publication lacks.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
import time
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import duckdb

from ..dbt_compile import compile_models
from ..settings import DBT_PROJECT_DIR, ComparisonPair
from .sections import ReportError

PLACEHOLDER = ComparisonPair("__pair_a__", "__pair_b__", 1001, 1002)
CACHE_DIR = DBT_PROJECT_DIR / "target" / "report_time"
USER_GROUPS_SOURCE = "source.regional_structure.raw.raw_region_group_member"
# raw.raw_region_group_member as the refresh loaded it, from the published user-defined groups
USER_GROUPS_SQL = """
    select g.group_code, g.name_zh, g.name_en, g.description, m.province_code, g.source_file,
        cast(null as integer) as source_line, cast(null as varchar) as file_sha256
    from published.main.dim_region_group as g
    inner join published.main.dim_region_group_member as m using (group_code)
    where g.is_user_defined
"""
# Marts keyed by group alone (not by universe and industry set)
GROUP_KEYED = ("dim_region_group", "dim_region_group_member")
# Marts keyed by universe with no industry set: why each member's division is in a universe-year or
# not, which the report's coverage sentences read for the union a+b
UNIVERSE_KEYED = ("mart_division_availability",)
DUCKDB_TYPES = {"string": "varchar", "text": "varchar", "integer": "integer", "int": "integer", "bigint": "bigint"}


def pair_text(pair: ComparisonPair) -> str:
    """The pair as REPORT_PAIRS and the dbt var comparison_pairs write it: a:b:from:to."""
    return f"{pair.a}:{pair.b}:{pair.year_from}:{pair.year_to}"


def pairs_relation(pair: ComparisonPair) -> str:
    """What macros/industry_sets.sql comparison_pairs_relation() renders for this one pair."""
    return (
        f"(values ('{pair.a}', '{pair.b}', {pair.year_from}, {pair.year_to})) "
        "as comparison_pairs (group_a, group_b, span_from, span_to)"
    )


@dataclass(frozen=True)
class Plan:
    """What to run for a pair, read from dbt's manifest of one compile with the placeholder pair."""

    models: list[dict]  # in dependency order: name, relation, sql (with the placeholder pair)
    published_copies: dict[str, str]  # relation the SQL names -> published table holding the same rows
    seeds: dict[str, dict]  # relation -> csv path, column types
    sources: dict[str, str]  # relation -> source (the user's groups, read from the published file)
    targets: dict[str, str]  # mart read by the report -> relation in the scratch database

    def sql_for(self, pair: ComparisonPair) -> list[tuple[str, str]]:
        """(relation, SQL) for each model, the placeholder pair replaced by this one."""
        placeholder, wanted = pairs_relation(PLACEHOLDER), pairs_relation(pair)
        statements = []
        for model in self.models:
            sql = model["sql"].replace(placeholder, wanted)
            if PLACEHOLDER.a in sql:
                raise RuntimeError(f"{model['name']}: the placeholder pair is left in its compiled SQL")
            statements.append((model["relation"], sql))
        return statements


def project_version() -> str:
    """A hash of what dbt compiles (project, profile, models, macros, seeds), of dbt's version and of
    this module (which makes the plan from the compile)."""
    digest = hashlib.sha256(version("dbt-core").encode())
    digest.update(Path(__file__).read_bytes())
    files = [DBT_PROJECT_DIR / "dbt_project.yml", DBT_PROJECT_DIR / "profiles.yml"]
    for folder in ("models", "macros", "seeds"):
        files += [p for p in (DBT_PROJECT_DIR / folder).rglob("*") if p.is_file()]
    for path in sorted(files):
        digest.update(path.relative_to(DBT_PROJECT_DIR).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def load_plan() -> Plan:
    """The plan of this version of the dbt project: compiled on first use, then read from the cache."""
    path = CACHE_DIR / project_version() / "plan.json"
    if not path.exists():
        _write_plan(path)
    return Plan(**json.loads(path.read_text(encoding="utf-8")))


def _write_plan(path: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="report_time_compile_") as scratch:
        target = Path(scratch) / "target"
        completed = compile_models(target, Path(scratch), {"comparison_pairs": pair_text(PLACEHOLDER)})
        if completed.returncode != 0:
            raise ReportError(f"dbt compile failed:\n{completed.stdout[-2000:]}{completed.stderr[-2000:]}")
        manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    plan = plan_from_manifest(manifest)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".plan.{os.getpid()}.json")
    partial.write_text(json.dumps(plan, ensure_ascii=False), encoding="utf-8")
    partial.replace(path)  # a concurrent compile writes the same plan


def _plain_copy_of(node: dict) -> str | None:
    """The model a mart publishes unchanged (`select * from {{ ref('x') }}`), else None."""
    code = re.sub(r"--[^\n]*", "", node["raw_code"])
    match = re.fullmatch(r"\s*select\s+\*\s+from\s+\{\{\s*ref\('(\w+)'\)\s*\}\}\s*", code, flags=re.IGNORECASE)
    return match.group(1) if match else None


def plan_from_manifest(manifest: dict) -> dict:
    nodes = manifest["nodes"]
    models = {k: v for k, v in nodes.items() if v["resource_type"] == "model"}
    marts = {v["name"]: k for k, v in models.items() if v["fqn"][1] == "marts"}
    copies = {}  # model id -> published table
    for name, uid in marts.items():
        copied = _plain_copy_of(models[uid])
        if copied:
            copies[f"model.regional_structure.{copied}"] = name
    # the metric marts kept per industry set (not their year_common filters), and the groups
    targets = [
        uid
        for name, uid in marts.items()
        if name.startswith("mart_") and "industry_set" in models[uid]["columns"] and f"{name}_by_set" not in marts
    ] + [marts[name] for name in (*GROUP_KEYED, *UNIVERSE_KEYED)]
    to_run: list[str] = []
    published_copies, seeds, sources = {}, {}, {}

    def visit(uid: str) -> None:
        if uid in to_run:
            return
        for dep in models[uid]["depends_on"]["nodes"]:
            if dep in copies:
                published_copies[nodes[dep]["relation_name"]] = copies[dep]
            elif dep.startswith("seed."):
                seed = nodes[dep]
                seeds[seed["relation_name"]] = {
                    "id": dep,
                    "csv": seed["original_file_path"],
                    "column_types": seed["config"].get("column_types") or {},
                }
            elif dep.startswith("source."):
                if dep != USER_GROUPS_SOURCE:
                    raise ReportError(f"{models[uid]['name']} reads the raw table {dep}, which is not published")
                sources[manifest["sources"][dep]["relation_name"]] = dep
            else:
                visit(dep)
        to_run.append(uid)

    for uid in targets:
        visit(uid)
    return {
        "models": [
            {"name": models[u]["name"], "relation": models[u]["relation_name"], "sql": models[u]["compiled_code"]}
            for u in to_run
        ],
        "published_copies": published_copies,
        "seeds": seeds,
        "sources": sources,
        "targets": {models[u]["name"]: models[u]["relation_name"] for u in targets},
    }


def _published_groups(con) -> set[str]:
    return {r[0] for r in con.execute("select group_code from published.main.dim_region_group").fetchall()}


def _check_pair(con, pair: ComparisonPair) -> None:
    groups = _published_groups(con)
    for code in (pair.a, pair.b):
        if code not in groups:
            raise ReportError(f"region group {code!r} is not published (dim_region_group): check A/B or REPORT_PAIRS")
    if "+" in pair.a or "+" in pair.b or pair.a == pair.b:
        raise ReportError(f"compare two different declared groups (A={pair.a!r}, B={pair.b!r})")
    first, last = con.execute("select min(year), max(year) from published.main.fct_industry_indicator").fetchone()
    if not (first <= pair.year_from < pair.year_to <= last):
        raise ReportError(
            f"FROM={pair.year_from} TO={pair.year_to}: the published facts span {first}–{last}; "
            "choose FROM < TO within it"
        )


def _create_inputs(con, plan: Plan) -> None:
    for schema in {r.split(".")[1] for r in [*plan.published_copies, *plan.seeds, *plan.sources]} | {
        m["relation"].split(".")[1] for m in plan.models
    }:
        con.execute(f"create schema if not exists build.{schema}")
    for relation, table in plan.published_copies.items():
        con.execute(f"create view {relation} as select * from published.main.{table}")
    for relation, seed in plan.seeds.items():
        types = {c: DUCKDB_TYPES.get(t.lower(), t) for c, t in seed["column_types"].items()}
        csv = (DBT_PROJECT_DIR / seed["csv"]).as_posix()
        con.execute(f"create table {relation} as select * from read_csv(?, header = true, types = {types!r})", [csv])
    for relation in plan.sources:
        con.execute(f"create table {relation} as {USER_GROUPS_SQL}")


def compute_pair(pair: ComparisonPair, published_db: Path, plan: Plan | None = None) -> duckdb.DuckDBPyConnection:
    """A scratch connection (in memory) with the pair's marts computed in catalog `build` and the
    published file attached read-only as `published`."""
    plan = plan or load_plan()
    con = duckdb.connect(config={"threads": 1})  # one thread, as the build: one order of summation
    try:
        con.execute(f"attach '{published_db.as_posix()}' as published (read_only)")
        _check_pair(con, pair)
        con.execute("attach ':memory:' as build")
        _create_inputs(con, plan)
        for relation, sql in plan.sql_for(pair):
            con.execute(f"create table {relation} as {sql}")
    except BaseException:
        con.close()
        raise
    return con


def _key_columns(table: str) -> str:
    if table in GROUP_KEYED:
        return "group_code"
    return "universe_code" if table in UNIVERSE_KEYED else "universe_code, industry_set"


def add_report_catalog(con, plan: Plan) -> None:
    """Catalog `report` (made the default): every published table, the pair's rows added to the marts
    it was computed for (those keys the publication lacks, so a published row is never replaced)."""
    con.execute("attach ':memory:' as report")
    tables = [
        r[0] for r in con.execute("select table_name from duckdb_tables() where database_name = 'published'").fetchall()
    ]
    for table in tables:
        if table not in plan.targets:
            con.execute(f"create view report.main.{table} as select * from published.main.{table}")
            continue
        columns = ", ".join(
            f'"{c}"'
            for (c,) in con.execute(
                "select column_name from duckdb_columns() where database_name = 'published' and table_name = ? "
                "order by column_index",
                [table],
            ).fetchall()
        )
        keys = _key_columns(table)
        # the added rows once, in a table of their own: the report queries each mart many times
        con.execute(
            f"create table build.main.added_{table} as select {columns} from {plan.targets[table]} "
            f"where ({keys}) not in (select distinct {keys} from published.main.{table})"
        )
        con.execute(
            f"create view report.main.{table} as select {columns} from published.main.{table} "
            f"union all select {columns} from build.main.added_{table}"
        )
    con.execute("use report")


def open_for_report(published_db: Path, pair: ComparisonPair) -> tuple[duckdb.DuckDBPyConnection | None, str]:
    """None (and no note) when the published file holds the pair: the report reads it through the
    query tools' confined connection. Else a scratch connection in which the pair is computed, and
    a sentence saying so."""
    from ..code_fingerprint import code_fingerprint

    con = duckdb.connect(str(published_db), read_only=True)
    published = False
    try:
        # the pair set of the union a+b is published exactly when the refresh built the pair
        published = con.execute(
            "select exists (select 1 from mart_location_quotient_by_set where universe_code = ? and industry_set = ?)",
            [pair.union_code, pair.pair_set],
        ).fetchone()[0]
        manifest = con.execute("select manifest from publication_manifest order by published_at desc").fetchone()
    finally:
        con.close()
    if published:
        return None, ""
    started = time.perf_counter()
    plan = load_plan()
    scratch = compute_pair(pair, published_db, plan)
    add_report_catalog(scratch, plan)
    note = (
        f"{pair_text(pair)} is not pre-built in the publication: its industry sets and the metrics on them "
        f"were computed from the published facts by the dbt models' SQL ({time.perf_counter() - started:.1f} s)."
    )
    built_by = json.loads(manifest[0]).get("code_fingerprint") if manifest else None
    if built_by != code_fingerprint():
        note += (
            " The publication was built by other code than this checkout's; the pair was computed with this "
            "checkout's models (make run publishes with them)."
        )
    return scratch, note


def clear_cache() -> None:
    shutil.rmtree(CACHE_DIR, ignore_errors=True)
