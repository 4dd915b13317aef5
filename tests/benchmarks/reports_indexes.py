"""Which indexes the bare 20-JP aggregate (tests/benchmarks/reports.py) uses, on PostgreSQL.

    .venv/bin/python -m tests.benchmarks.reports_indexes

On the kept benchmark database (built by `BENCH_ONLY=reports BENCH_DATABASE=postgres make bench`),
for the whole instansi, one large OPD and one small OPD: the plan's scans (EXPLAIN ANALYZE) and
the median time of BENCH_REPORTS_RUNS executions, with the indexes as migrated, with candidate
indexes added (created, measured, dropped) and with existing ones left out (dropped inside a
transaction that is rolled back). Written to var/bench/reports-indexes.md."""

from __future__ import annotations

import json
import statistics
import sys
import time
from typing import Any

from app.config import ROOT
from tests.benchmarks import reports

SMALL_UNIT = "D05"
SCENARIOS: list[tuple[str, list[str], list[str]]] = [
    # (label, indexes created for the run, statements run inside the rolled-back transaction)
    ("as migrated", [], []),
    (
        "+ jp_entry (year, user_id) INCLUDE (jp, source)",
        ["CREATE INDEX bench_jp_year_user ON jp_entry (year, user_id) INCLUDE (jp, source)"],
        [],
    ),
    (
        "+ jp_entry (user_id, year) INCLUDE (jp, source)",
        ["CREATE INDEX bench_jp_user_year ON jp_entry (user_id, year) INCLUDE (jp, source)"],
        [],
    ),
    (
        "+ both covering indexes",
        [
            "CREATE INDEX bench_jp_year_user ON jp_entry (year, user_id) INCLUDE (jp, source)",
            "CREATE INDEX bench_jp_user_year ON jp_entry (user_id, year) INCLUDE (jp, source)",
        ],
        [],
    ),
    ("without ix_jp_entry_year", [], ["DROP INDEX ix_jp_entry_year"]),
    ("without ix_jp_entry_user_id", [], ["DROP INDEX ix_jp_entry_user_id"]),
    ("without ix_user_account_instansi_id", [], ["DROP INDEX ix_user_account_instansi_id"]),
    ("without ix_user_account_unit_id", [], ["DROP INDEX ix_user_account_unit_id"]),
    ("as migrated, jit = off", [], ["SET LOCAL jit = off"]),
]


def _scans(plan: dict[str, Any]) -> list[str]:
    """The plan's scans and joins, outermost first: `Seq Scan user_account`, …"""
    found = []
    node = plan.get("Node Type", "")
    if "Scan" in node or "Join" in node or node in ("Nested Loop", "Hash", "Sort"):
        target = plan.get("Index Name") or plan.get("Relation Name") or ""
        if "Scan" in node or "Join" in node or node == "Nested Loop":
            found.append(f"{node} {target}".strip())
    for child in plan.get("Plans", []):
        found += _scans(child)
    return found


def study(url: str, params: dict[str, Any], runs: int) -> list[dict[str, Any]]:
    import psycopg

    conn = psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"))
    queries = {
        "all": (
            reports.bare_sql(unit=False, paramstyle="pyformat"),
            {k: v for k, v in params.items() if k != "unit"},
        ),
        "large OPD": (reports.bare_sql(unit=True, paramstyle="pyformat"), params),
        "small OPD": (
            reports.bare_sql(unit=True, paramstyle="pyformat"),
            {**params, "unit": SMALL_UNIT},
        ),
    }
    out = []
    for label, create, inside in SCENARIOS:
        conn.autocommit = True
        for statement in create:
            conn.execute(statement)
        if create:
            conn.execute("ANALYZE jp_entry")
        conn.autocommit = False
        try:
            for statement in inside:
                conn.execute(statement)
            row: dict[str, Any] = {"scenario": label}
            for name, (query, args) in queries.items():
                plan = conn.execute(
                    "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + query, args, prepare=False
                ).fetchone()[0][0]
                times = []
                for _ in range(runs):
                    t0 = time.perf_counter()
                    rows = conn.execute(query, args, prepare=False).fetchall()
                    times.append((time.perf_counter() - t0) * 1000)
                row[name] = {
                    "ms": round(statistics.median(times), 1),
                    "execution_ms": round(plan["Execution Time"], 1),
                    "rows": len(rows),
                    "scans": _scans(plan["Plan"]),
                    "jit_ms": round(plan.get("JIT", {}).get("Timing", {}).get("Total", 0.0), 1),
                }
            out.append(row)
        finally:
            conn.rollback()
            conn.autocommit = True
            for statement in create:
                name = statement.split()[2]
                conn.execute(f"DROP INDEX IF EXISTS {name}")
    conn.close()
    return out


def table(results: list[dict[str, Any]]) -> str:
    names = [k for k in results[0] if k != "scenario"]
    lines = [
        "| indexes | " + " | ".join(f"{n}: median ms (plan)" for n in names) + " |",
        "|---|" + "---|" * len(names),
    ]
    for r in results:
        cells = []
        for n in names:
            c = r[n]
            jit = f", JIT {c['jit_ms']} ms" if c["jit_ms"] else ""
            cells.append(f"**{c['ms']:,.0f}** ({c['rows']:,} rows{jit}; {', '.join(c['scans'])})")
        lines.append(f"| {r['scenario']} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    scale = reports.default_scale("postgres")
    prepared = reports.ensure("postgres", scale, lambda m: print(f"[bench] {m}", file=sys.stderr))
    bare = reports.Bare(prepared)
    params = bare.params
    bare.close()
    results = study(prepared.url, params, reports.RUNS)
    text = table(results)
    out = ROOT / "var" / "bench"
    (out / "reports-indexes.json").write_text(json.dumps(results, indent=2))
    (out / "reports-indexes.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main(sys.argv[1:])
