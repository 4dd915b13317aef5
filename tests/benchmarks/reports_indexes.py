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
COVERING = (
    "CREATE INDEX IF NOT EXISTS bench_jp_year_user ON jp_entry (year, user_id) INCLUDE (jp, source)"
)
BY_USER = (
    "CREATE INDEX IF NOT EXISTS bench_jp_user_year ON jp_entry (user_id, year) INCLUDE (jp, source)"
)
BY_UNIT = (
    "CREATE INDEX IF NOT EXISTS bench_user_instansi_unit ON user_account (instansi_id, unit_id)"
)
SCENARIOS: list[tuple[str, list[str], list[str]]] = [
    # (label, indexes created for the run and dropped after it, statements run inside the
    # transaction that is rolled back)
    ("as migrated", [], []),
    ("+ jp_entry (year, user_id) INCLUDE (jp, source)", [COVERING], []),
    ("+ jp_entry (user_id, year) INCLUDE (jp, source)", [BY_USER], []),
    ("+ user_account (instansi_id, unit_id)", [BY_UNIT], []),
    (
        "the reports branch's 0017: + (year, user_id) INCLUDE, + (instansi_id, unit_id), "
        "− ix_jp_entry_year, − ix_user_account_instansi_id",
        [COVERING, BY_UNIT],
        [
            "DROP INDEX IF EXISTS ix_jp_entry_year",
            "DROP INDEX IF EXISTS ix_user_account_instansi_id",
        ],
    ),
    (
        "jp_entry (user_id, year) INCLUDE (jp, source) instead of ix_jp_entry_user_id and "
        "ix_jp_entry_year",
        [BY_USER],
        ["DROP INDEX IF EXISTS ix_jp_entry_user_id", "DROP INDEX IF EXISTS ix_jp_entry_year"],
    ),
    ("− ix_jp_entry_year", [], ["DROP INDEX IF EXISTS ix_jp_entry_year"]),
    ("− ix_jp_entry_user_id", [], ["DROP INDEX IF EXISTS ix_jp_entry_user_id"]),
    ("− ix_user_account_instansi_id", [], ["DROP INDEX IF EXISTS ix_user_account_instansi_id"]),
    ("− ix_user_account_unit_id", [], ["DROP INDEX IF EXISTS ix_user_account_unit_id"]),
    (
        "as migrated, work_mem = 32MB (the sort of 100,000 names in memory)",
        [],
        ["SET LOCAL work_mem = '32MB'"],
    ),
    ("as migrated, again (how much the timings wander)", [], []),
]


def _scans(plan: dict[str, Any]) -> list[str]:
    """How the plan reads user_account and jp_entry, and how it joins them:
    `user_account: Seq Scan`, `jp_entry: Index Only Scan bench_jp_user_year`, `Hash Join`, …"""
    found = []
    node = plan.get("Node Type", "")
    relation = plan.get("Relation Name")
    if relation in ("user_account", "jp_entry"):
        found.append(f"{relation}: {node} {plan.get('Index Name') or ''}".strip())
    elif node in ("Hash Join", "Merge Join", "Nested Loop") and plan.get("Join Type") == "Left":
        found.append(node)
    elif node == "Sort" and plan.get("Sort Space Type") == "Disk":
        found.append(f"sort on disk {plan.get('Sort Space Used')} kB")
    for child in plan.get("Plans", []):
        found += _scans(child)
    return found


def study(
    url: str, params: dict[str, Any], unit_ids: dict[str, list[int]], runs: int
) -> list[dict[str, Any]]:
    import psycopg

    conn = psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"))
    queries = {
        "all": reports.bare_sql(paramstyle="pyformat"),
        f"large OPD ({reports.UNIT})": reports.bare_sql(
            unit_ids=unit_ids[reports.UNIT], paramstyle="pyformat"
        ),
        f"small OPD ({SMALL_UNIT})": reports.bare_sql(
            unit_ids=unit_ids[SMALL_UNIT], paramstyle="pyformat"
        ),
    }
    out = []
    for label, create, inside in SCENARIOS:
        conn.autocommit = True
        for statement in create:
            conn.execute(statement)
        if create:
            conn.execute("ANALYZE jp_entry, user_account")
        conn.autocommit = False
        try:
            for statement in inside:
                conn.execute(statement)
            row: dict[str, Any] = {"scenario": label}
            for name, query in queries.items():
                args = params
                plan = conn.execute(
                    "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + query, args, prepare=False
                ).fetchone()[0][0]
                times = []
                conn.execute(query, args, prepare=False).fetchall()  # warm-up
                for _ in range(runs):
                    t0 = time.perf_counter()
                    rows = conn.execute(query, args, prepare=False).fetchall()
                    times.append((time.perf_counter() - t0) * 1000)
                row[name] = {
                    "ms": round(statistics.median(times), 1),
                    "best_ms": round(min(times), 1),
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
                name = statement.split()[5]  # CREATE INDEX IF NOT EXISTS <name>
                conn.execute(f"DROP INDEX IF EXISTS {name}")
    conn.close()
    return out


def _indexes(url: str) -> list[str]:
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        rows = conn.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename IN ('jp_entry', 'user_account') "
            "ORDER BY indexname"
        ).fetchall()
    return [r[0] for r in rows]


def table(results: list[dict[str, Any]]) -> str:
    names = [k for k in results[0] if k != "scenario"]
    lines = [
        "| indexes | " + " | ".join(f"{n}: best / median ms (plan)" for n in names) + " |",
        "|---|" + "---|" * len(names),
    ]
    for r in results:
        cells = []
        for n in names:
            c = r[n]
            jit = f", JIT {c['jit_ms']} ms" if c["jit_ms"] else ""
            cells.append(
                f"**{c['best_ms']:,.0f}** / {c['ms']:,.0f} ({c['rows']:,} rows{jit}; "
                f"{', '.join(c['scans'])})"
            )
        lines.append(f"| {r['scenario']} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    scale = reports.default_scale("postgres")
    prepared = reports.ensure("postgres", scale, lambda m: print(f"[bench] {m}", file=sys.stderr))
    bare = reports.Bare(prepared)
    params = bare.params
    unit_ids = {unit: bare.unit_ids(unit) for unit in (reports.UNIT, SMALL_UNIT)}
    bare.close()
    results = study(prepared.url, params, unit_ids, reports.RUNS)
    text = f"Indexes on jp_entry and user_account: {', '.join(_indexes(prepared.url))}\n\n"
    text += table(results)
    out = ROOT / "var" / "bench"
    (out / "reports-indexes.json").write_text(json.dumps(results, indent=2))
    (out / "reports-indexes.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main(sys.argv[1:])
