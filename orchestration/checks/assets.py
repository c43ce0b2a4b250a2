"""One blocking asset check per suite file; quarantine visibility as a warning check."""

import dagster as dg

from .. import dbt_forkserver_control
from ..resources import WarehouseResource
from . import gx_worker, report
from .suites import Suite, all_suites, suite_parameters


def _summary_table(results: list[dict]) -> str:
    rows = ["| status | expectation | column | unexpected | sample |", "|---|---|---|---|---|"]
    for r in results:
        status = "passed" if r["success"] else ("FAILED" if r["severity"] == "error" else "warning")
        sample = "; ".join(str(s) for s in r["sample"][:3]).replace("|", "/")
        rows.append(f"| {status} | {r['expectation']} | {r['column']} | {r['unexpected_count']} | {sample} |")
    return "\n".join(rows)


def build_suite_check(suite: Suite) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=dg.AssetKey(list(suite.asset_key)),
        name=f"gx_{suite.name}",
        description=f"Great Expectations suite {suite.origin}. {suite.description}",
        blocking=True,
    )
    def _check(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource) -> dg.AssetCheckResult:
        # the raw tables' checks come just before dbt and leave a core free while the worker
        # validates: dbt's imports go there (the mart checks' calls, after dbt, change nothing)
        dbt_forkserver_control.warm()
        with warehouse.connect_build(read_only=True) as con:
            available = {r[0] for r in con.execute(f"select * from {suite.table} limit 0").description}
            columns = ", ".join(f'"{c}"' for c in suite.columns_needed() if c in available) or "*"
            frame = con.execute(f"select {columns} from {suite.table}").df()
            parameters = suite_parameters(con)
        results = gx_worker.validate(suite, frame, parameters)
        errors = [r for r in results if not r["success"] and r["severity"] == "error"]
        warnings = [r for r in results if not r["success"] and r["severity"] != "error"]
        page = report.record(
            warehouse.settings.warehouse_dir,
            context.run.run_id,
            f"gx_{suite.name}",
            {
                "title": f"{suite.table} — {suite.origin}",
                "description": suite.description,
                "results": results,
            },
        )
        return dg.AssetCheckResult(
            passed=not errors and not warnings,
            severity=dg.AssetCheckSeverity.ERROR if errors else dg.AssetCheckSeverity.WARN,
            metadata={
                "rows_checked": len(frame),
                "expectations": len(results),
                "failed_blocking": len(errors),
                "failed_warnings": len(warnings),
                "failing_rows": sum(r["unexpected_count"] or 0 for r in errors + warnings),
                "results": dg.MetadataValue.md(_summary_table(results)),
                "validation_report": dg.MetadataValue.path(str(page)),
            },
        )

    return _check


def suite_checks() -> list[dg.AssetChecksDefinition]:
    return [build_suite_check(suite) for suite in all_suites()]
