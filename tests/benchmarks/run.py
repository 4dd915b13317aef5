"""`make bench`: the PRODUCT.md §6 figures, measured on a real server, on SQLite or PostgreSQL.

    python -m tests.benchmarks.run [--database sqlite|postgres] [--only PART,PART…]
    BENCH_DATABASE=postgres make bench          BENCH_ONLY=exam make bench

A fresh database (a SQLite file, or a new PostgreSQL database on BENCH_POSTGRES_URL's server,
dropped afterwards) gets the shipped courses and the demo (`cakap init`, `cakap demo`); the exam
learners are made beforehand with their bearer tokens; `cakap serve` runs with one worker on
SQLite (ARCHITECTURE.md rule 2) and one per core on PostgreSQL; the demo learner logs in through
the real forms. Load comes from this process (asyncio) and from wrk. The figures are printed as
a markdown table, with the command that reproduces them, and written to
var/bench/latest.{json,md}; they are reported, never asserted (they depend on the machine).

Parts (all by default, in this order):

- pages: `/healthz`, the catalogue and a lesson page, req/s in the same run (wrk, or Python
  processes when wrk is missing), alternately BENCH_ROUNDS times, best run kept.
- weight: bytes on the wire for a first visit to a lesson page (headless Chromium, gzip).
- burst: BENCH_BURST_CONNECTIONS (200) connections at once on the lesson page, the dashboard
  and the progress API, BENCH_BURST_ROUNDS (5) requests each; /healthz polled every 100 ms.
- exam: BENCH_LEARNERS (1,000 on PostgreSQL, 300 on SQLite) learners start the same post-test
  at a random moment within the first 60 s, save one answer every 10 s, then submit; every
  acknowledged answer is read back from the database (BENCH_EXAM_WINDOW, BENCH_EXAM_THINK).
- exam-burst: BENCH_SPIKE (300) learners start at the same moment and save back to back.
- import: BENCH_IMPORT_ROWS (10,000) people, BENCH_IMPORT_VIA "job,cli": uploaded by the demo HR
  officer on /hr/import and written by the background job (`cakap worker` runs beside the
  server), then another 10,000 through `cakap people import`; the login and lesson page
  latencies before and during each.
- reports: tests/benchmarks/reports.py, on a database of its own, generated once and kept
  (100,000 learners and 1,000,000 progress rows on PostgreSQL, BENCH_REPORTS_LEARNERS): the
  20-JP report API against the bare SQL aggregate, and the CSV and XLSX exports' memory.
- certificates: tests/benchmarks/certificates.py (no server)."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import re
import resource
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from app.config import ROOT
from app.demo import HR, HR_PASSWORD, LEARNER, LEARNER_PASSWORD
from tests.benchmarks import exam_spike, people_import, reports
from tests.benchmarks.harness import (
    POSTGRES_URL,
    Learner,
    Server,
    app_env,
    burst,
    free_port,
    fresh_database,
    learner_calls,
    log_in,
    machine_cpu,
    processes_cpu,
    run_cli,
)

PARTS = ("pages", "weight", "burst", "exam", "exam-burst", "import", "reports", "certificates")
DURATION = int(os.environ.get("BENCH_SECONDS", "10"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "2"))
SPIKE = int(os.environ.get("BENCH_SPIKE", "300"))
BURST_CONNECTIONS = int(os.environ.get("BENCH_BURST_CONNECTIONS", "200"))
BURST_ROUNDS = int(os.environ.get("BENCH_BURST_ROUNDS", "5"))
IMPORT_ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", "10000"))
IMPORT_VIA = [v for v in os.environ.get("BENCH_IMPORT_VIA", "job,cli").split(",") if v]
EXAM_WINDOW = float(os.environ.get("BENCH_EXAM_WINDOW", "60"))
EXAM_THINK = float(os.environ.get("BENCH_EXAM_THINK", "10"))


@dataclass
class Context:
    database: str  # sqlite | postgres
    url: str
    env: dict[str, str]
    workdir: Path
    server: Server
    learner: Learner
    exam: tuple[list[str], int] | None
    spike: tuple[list[str], int] | None


# -- pages: req/s against /healthz ---------------------------------------------------------------


def measure(port: int, path: str, cookie: str) -> dict[str, float]:
    wrk = shutil.which("wrk")
    if wrk:
        out = subprocess.run(
            [
                wrk,
                "-t2",
                f"-c{CONNECTIONS}",
                f"-d{DURATION}s",
                "-H",
                f"Cookie: {cookie}",
                "-H",
                "Accept-Encoding: gzip",
                f"http://127.0.0.1:{port}{path}",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
        non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
        return {"rps": rps, "errors": int(non2xx.group(1)) if non2xx else 0}
    from concurrent.futures import ProcessPoolExecutor

    clients = min(CONNECTIONS, 8)
    with ProcessPoolExecutor(clients) as pool:
        results = list(pool.map(_python_load, [(port, path, cookie, DURATION)] * clients))
    return {"rps": sum(r[0] for r in results) / DURATION, "errors": sum(r[1] for r in results)}


def _python_load(args: tuple[int, str, str, float]) -> tuple[int, int]:
    import http.client

    port, path, cookie, seconds = args
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    ok = errors = 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            conn.request("GET", path, headers={"Cookie": cookie, "Accept-Encoding": "gzip"})
            response = conn.getresponse()
            response.read()
            ok += response.status == 200
            errors += response.status != 200
        except OSError:
            errors += 1
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    return ok, errors


def part_pages(ctx: Context) -> dict[str, Any]:
    lesson = ctx.learner.lesson
    runs: dict[str, list[float]] = {"/healthz": [], "/courses": [], lesson: []}
    errors = 0
    for _ in range(ROUNDS):
        for path in runs:
            result = measure(ctx.server.port, path, ctx.learner.cookie)
            runs[path].append(result["rps"])
            errors += int(result["errors"])
    health, catalogue, lesson_rps = (max(runs[p]) for p in runs)
    return {
        "load": f"{'wrk' if shutil.which('wrk') else 'python'}, {CONNECTIONS} connections, "
        f"{DURATION} s per run, best of {ROUNDS}",
        "healthz_rps": round(health, 1),
        "catalogue_rps": round(catalogue, 1),
        "lesson_rps": round(lesson_rps, 1),
        "catalogue_to_healthz": round(catalogue / health, 3),
        "lesson_to_healthz": round(lesson_rps / health, 3),
        "errors": errors,
    }


# -- weight: a first visit in Chromium -------------------------------------------------------------


def part_weight(ctx: Context) -> dict[str, Any]:
    """Bytes transferred (headers + compressed bodies) for a first visit to the lesson page."""
    from playwright.sync_api import sync_playwright

    from tests.e2e.browser import launch

    base, cookie = ctx.server.base, ctx.learner.cookie
    sizes: list[int] = []
    hosts: set[str] = set()
    with sync_playwright() as pw:
        browser = launch(pw)
        context = browser.new_context(extra_http_headers={"Accept-Encoding": "gzip"})
        for part in cookie.split("; "):
            name, _, value = part.partition("=")
            context.add_cookies([{"name": name, "value": value, "url": base}])
        page = context.new_page()
        page.on(
            "requestfinished",
            lambda r: (
                sizes.append(r.sizes()["responseBodySize"] + r.sizes()["responseHeadersSize"]),
                hosts.add(urllib.parse.urlsplit(r.url).netloc),
            ),
        )
        page.goto(f"{base}{ctx.learner.lesson}", wait_until="networkidle")
        browser.close()
    return {"bytes": sum(sizes), "requests": len(sizes), "hosts": sorted(hosts)}


# -- burst, exam, import ----------------------------------------------------------------------------


def part_burst(ctx: Context) -> dict[str, Any]:
    result = asyncio.run(
        burst(
            "127.0.0.1",
            ctx.server.port,
            learner_calls(ctx.learner),
            connections=BURST_CONNECTIONS,
            rounds=BURST_ROUNDS,
            request_timeout=60,
            deadline=120,
        )
    )
    return result.summary()


def part_exam(ctx: Context) -> dict[str, Any]:
    assert ctx.exam is not None
    tokens, quiz_id = ctx.exam
    return asyncio.run(
        exam_spike.realistic(
            ctx.server.base, tokens, quiz_id, ctx.url, window=EXAM_WINDOW, think=EXAM_THINK
        )
    )


def part_exam_burst(ctx: Context) -> dict[str, Any]:
    assert ctx.spike is not None
    tokens, quiz_id = ctx.spike
    return asyncio.run(exam_spike.spike(ctx.server.base, tokens, quiz_id, ctx.url))


def part_import(ctx: Context) -> dict[str, Any]:
    results: dict[str, Any] = {}
    for via in IMPORT_VIA:
        try:
            results[via] = asyncio.run(
                people_import.run(
                    via,
                    ctx.env,
                    ctx.url,
                    ctx.server.base,
                    ctx.learner,
                    ctx.workdir,
                    hr=(HR[0], HR_PASSWORD),
                    rows=IMPORT_ROWS,
                )
            )
        except Exception:
            results[via] = {"failed": traceback.format_exc(limit=6)[-2500:]}
    return results


def part_certificates() -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "tests.benchmarks.certificates"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return dict(json.loads(done.stdout))


SERVER_PARTS: dict[str, Callable[[Context], dict[str, Any]]] = {
    "pages": part_pages,
    "weight": part_weight,
    "burst": part_burst,
    "exam": part_exam,
    "exam-burst": part_exam_burst,
    "import": part_import,
}


# -- the run -----------------------------------------------------------------------------------------


def _prepare(url: str, env: dict[str, str], count: int, prefix: str) -> tuple[list[str], int]:
    from app.config import get_settings
    from app.core.db import Database

    for key in ("CAKAP_DATABASE_URL", "CAKAP_DATA_DIR", "CAKAP_SECRET_KEY"):
        os.environ[key] = env[key]
    get_settings.cache_clear()
    database = Database(url)
    try:
        with database.unit_of_work() as session:
            return exam_spike.prepare(session, count, prefix=prefix)
    finally:
        database.dispose()


def _own_cpu() -> float:
    """CPU seconds of this process and its finished children (wrk, the CLI, load processes)."""
    own, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def run_parts(
    parts: list[str], database: str, workers: int, learners: int
) -> tuple[dict[str, Any], dict[str, Any]]:
    results: dict[str, Any] = {}
    setup: dict[str, Any] = {}
    wanted = [p for p in parts if p in SERVER_PARTS]
    if not wanted:
        return results, setup
    workdir = Path(tempfile.mkdtemp(prefix="cakap-bench-"))
    postgres = POSTGRES_URL if database == "postgres" else None
    with fresh_database(workdir, postgres, "cakap_bench") as url:
        env = app_env(url, workdir / "data")
        t0 = time.perf_counter()
        run_cli(env, "init")
        run_cli(env, "demo")
        setup["init_and_demo_s"] = round(time.perf_counter() - t0, 1)
        t0 = time.perf_counter()
        exam = _prepare(url, env, learners, "exam") if "exam" in wanted else None
        spike = _prepare(url, env, SPIKE, "spike") if "exam-burst" in wanted else None
        setup["learners_prepared_s"] = round(time.perf_counter() - t0, 1)
        port = free_port()
        with Server(env, port, workers, workdir / "server.log", jobs=True) as server:
            learner = log_in(server.base, LEARNER[0], LEARNER_PASSWORD)
            ctx = Context(database, url, env, workdir, server, learner, exam, spike)
            for part in wanted:
                print(f"[bench] {part} …", file=sys.stderr, flush=True)
                t0, cpu0, (busy0, all0) = time.perf_counter(), server.cpu_seconds(), machine_cpu()
                load0, pg0 = _own_cpu(), processes_cpu("postgres")
                try:
                    results[part] = SERVER_PARTS[part](ctx)
                except Exception:
                    results[part] = {"failed": traceback.format_exc(limit=6)[-2500:]}
                busy1, all1 = machine_cpu()
                results[part].update(
                    part_seconds=round(time.perf_counter() - t0, 1),
                    server_cpu_s=round(server.cpu_seconds() - cpu0, 1),
                    load_generator_cpu_s=round(_own_cpu() - load0, 1),
                    machine_busy_pct=round(100 * (busy1 - busy0) / (all1 - all0)),
                )
                if database == "postgres":
                    results[part]["postgres_cpu_s"] = round(processes_cpu("postgres") - pg0, 1)
                if not server.alive():
                    results[part]["server_died"] = server.log_tail(2500)
                    break
            setup["server_log"] = str(server.log)
    return results, setup


def _ms(value: float) -> str:
    return f"{value:,.0f} ms" if value >= 100 else f"{value:.1f} ms"


def _cpu_per_request(result: dict[str, Any]) -> str:
    if not result.get("requests") or "server_cpu_s" not in result:
        return ""
    return f"; server CPU {1000 * result['server_cpu_s'] / result['requests']:.1f} ms per request"


def table(figures: dict[str, Any]) -> str:
    rows: list[tuple[str, str]] = [
        ("measured", figures["date"]),
        ("machine", figures["machine"]),
        ("server", figures["server"]),
        ("command", f"`{figures['command']}`"),
    ]
    r = figures["results"]
    for part, result in r.items():
        if "failed" in result:
            last = result["failed"].strip().splitlines()[-1]
            rows.append((part, f"**failed**: {last}"))
    if "pages" in r and "failed" not in r["pages"]:
        p = r["pages"]
        rows += [
            ("pages: load", p["load"]),
            ("`/healthz`", f"{p['healthz_rps']} req/s"),
            ("`/courses` (catalogue, logged in)", f"{p['catalogue_rps']} req/s"),
            ("lesson page (logged in, enrolled)", f"{p['lesson_rps']} req/s"),
            ("ratio catalogue / healthz", f"**{p['catalogue_to_healthz']}**"),
            ("ratio lesson / healthz (target ≥ 0.15)", f"**{p['lesson_to_healthz']}**"),
            ("non-2xx during page runs", str(p["errors"])),
        ]
    if "weight" in r and "failed" not in r["weight"]:
        w = r["weight"]
        rows.append(
            (
                "lesson page, first visit (target ≤ 60 KB)",
                f"**{w['bytes'] / 1024:.1f} KB** in {w['requests']} requests, "
                f"hosts: {', '.join(w['hosts'])}",
            )
        )
    if "burst" in r and "failed" not in r["burst"]:
        b = r["burst"]
        rows += [
            (
                f"burst: {b['connections']} connections × {BURST_ROUNDS} requests (lesson, "
                "dashboard, progress API)",
                f"errors **{b['errors']}** {b['error_kinds'] or ''}, {b['requests']} answered "
                f"in {b['seconds']} s ({b['requests_per_s']} req/s)" + _cpu_per_request(b),
            ),
            (
                "burst: request p50 / p99 / max",
                f"{_ms(b['request_p50_ms'])} / {_ms(b['request_p99_ms'])} / "
                f"{_ms(b['request_max_ms'])}",
            ),
            (
                "burst: `/healthz` during, max / p99 (target < 1 s)",
                f"**{_ms(b['healthz_during_max_ms'])}** / {_ms(b['healthz_during_p99_ms'])} "
                f"({b['healthz_polls_during']} polls); after: max "
                f"{_ms(b['healthz_after_max_ms'])}; failed polls {b['healthz_failures'] or 0}",
            ),
        ]
    for key, title in (("exam", "exam"), ("exam-burst", "exam burst")):
        if key not in r or "failed" in r[key]:
            continue
        e = r[key]
        how = (
            f"start within {EXAM_WINDOW:g} s, a save every {EXAM_THINK:g} s"
            if key == "exam"
            else "all start and save at once"
        ) + f", {e['questions_per_attempt']} questions, submit"
        rows += [
            (
                f"{title}: {e['learners']} learners ({how})",
                f"errors **{e['errors']}** {e['error_kinds'] or ''}, answers lost "
                f"**{e['answers_lost']}** of {e['answers_acknowledged']} acknowledged, "
                f"duplicate attempts {e['duplicate_attempts']}; {e['requests']} requests "
                f"in {e['seconds']} s" + _cpu_per_request(e),
            ),
            (
                f"{title}: save p50 / p95 / p99 (target ≤ 250 ms / ≤ 1 s)",
                f"{_ms(e['save_p50_ms'])} / **{_ms(e['save_p95_ms'])}** / "
                f"**{_ms(e['save_p99_ms'])}** (max {_ms(e['save_max_ms'])})",
            ),
            (
                f"{title}: start p50 / p99; submit p50 / p99",
                f"{_ms(e['start_p50_ms'])} / {_ms(e['start_p99_ms'])}; "
                f"{_ms(e['submit_p50_ms'])} / {_ms(e['submit_p99_ms'])}",
            ),
        ]
    for via, i in r.get("import", {}).items():
        if isinstance(i, dict) and "failed" in i:
            rows.append((f"import ({via})", f"**failed**: {i['failed'].strip().splitlines()[-1]}"))
        if not isinstance(i, dict) or "rows" not in i:
            continue
        lb, ld, pb, pd = (
            i["login_before"],
            i["login_during"],
            i["lesson_before"],
            i["lesson_during"],
        )
        if via == "job":
            j = i["job"]
            how = (
                f"HR upload and preview {i['preview_seconds']} s, confirm "
                f"{i['confirm_seconds']} s, job {j['status']} {j['done']}/{j['total']}"
                + (f" ({j['message']})" if j["message"] else "")
            )
            title = "upload on /hr/import, confirm, background job"
        else:
            how = f"command {i['command_seconds']} s, exit {i['exit_code']}: {i['outcome']}"
            title = "`cakap people import FILE`"
        rows += [
            (
                f"import ({via}): {i['rows']:,} people, {title} (target ≤ 5 min)",
                f"**{i['wall_seconds']} s** until {i['accounts_in_database']:,} accounts exist; "
                + how,
            ),
            (
                f"import ({via}): `/login` p50 / p95 / max, before → during",
                f"{_ms(lb['p50_ms'])} / {_ms(lb['p95_ms'])} / {_ms(lb['max_ms'])} → "
                f"{_ms(ld['p50_ms'])} / **{_ms(ld['p95_ms'])}** / {_ms(ld['max_ms'])}",
            ),
            (
                f"import ({via}): lesson page p50 / p95 / max, before → during",
                f"{_ms(pb['p50_ms'])} / {_ms(pb['p95_ms'])} / {_ms(pb['max_ms'])} → "
                f"{_ms(pd['p50_ms'])} / **{_ms(pd['p95_ms'])}** / {_ms(pd['max_ms'])}",
            ),
            (f"import ({via}): probe errors", f"{i['errors']} {i['error_kinds'] or ''}"),
        ]
    if "certificates" in r and "failed" not in r["certificates"]:
        c = r["certificates"]
        rows += [
            (
                "certificate: the app's render / bare WeasyPrint on the same HTML (target ≤ 1.25)",
                f"**{c['app_over_bare']}** ({c['certificate_ms']} against "
                f"{c['bare_weasyprint_ms']} ms)",
            ),
            (
                "certificate: render and PAdES signature / bare WeasyPrint",
                f"{c['signed_over_bare']} ({c['signed_ms']} ms)",
            ),
            (
                "certificate render / one-line A4 page (the machine's yardstick)",
                f"{c['ratio']} ({c['certificate_ms']} against {c['one_line_ms']} ms)",
            ),
            (
                "certificates batch, 1 → 2 processes",
                f"{c['batch_1_per_s']} → {c['batch_2_per_s']} per s (**{c['speedup_2']}×**)",
            ),
            (
                f"memory growth over {c['renders']} renders",
                f"{c['rss_growth_mb']} MB",
            ),
        ]
    if "reports" in r and "failed" not in r["reports"]:
        rows += _report_rows(r["reports"])
    cpu = [
        f"{part}: {res['part_seconds']} s, app {res['server_cpu_s']} s"
        + (f", postgres {res['postgres_cpu_s']} s" if "postgres_cpu_s" in res else "")
        + f", load generator {res['load_generator_cpu_s']} s, machine "
        f"{res['machine_busy_pct']} % busy"
        for part, res in r.items()
        if isinstance(res, dict) and "server_cpu_s" in res
    ]
    if cpu:
        rows.append(
            (
                "CPU seconds per part: app (server + job worker), PostgreSQL, load generator "
                "(this process, with wrk and the `cakap` commands it runs); the rest of the "
                "busy machine is other work",
                "; ".join(cpu),
            )
        )
    return "| figure | value |\n|---|---|\n" + "\n".join(f"| {k} | {v} |" for k, v in rows) + "\n"


def _report_rows(p: dict[str, Any]) -> list[tuple[str, str]]:
    made = f"generated in {p['generated_s']} s" if p["generated_s"] is not None else "kept, reused"
    c = p["counts"]
    rows = [
        (
            "reports: data (tests/benchmarks/reports_data.py)",
            f"{p['learners']:,} learners counted (+{c['inactive']:,} deactivated, "
            f"+{c['retired']:,} retired, +{c['outsiders']:,} in another instansi), "
            f"{c['units']:,} units, {c['enrollments']:,} enrolments, "
            f"{p['progress_rows']:,} lesson_progress rows, {c['jp_entries']:,} JP entries "
            f"({c['jp_entries_year']:,} in {p['year']}), {c['certificates']:,} certificates; "
            f"{made}",
        ),
        (
            f"reports: bare SQL aggregate, whole instansi / unit={p['unit']} "
            f"(median of {p['runs']})",
            f"{_ms(p['bare_all_ms'])} ({p['bare_all_rows']:,} rows) / "
            f"{_ms(p['bare_unit_ms'])} ({p['bare_unit_rows']:,} rows)",
        ),
    ]
    if p.get("endpoint") != "present":
        rows.append(("reports: `GET /api/v1/reports/jp`", f"**not measured**: {p['message']}"))
        return rows
    rows += [
        (
            f"reports: `GET /api/v1/reports/jp?year={p['year']}` JSON, whole instansi "
            "(target ≤ 2× bare SQL)",
            f"{_ms(p['api_all_ms'])}, **{p['ratio_all']}×** ({p['api_all_bytes'] / 1e6:.1f} MB)",
        ),
        (
            f"reports: … `&unit={p['unit']}` (target ≤ 2× bare SQL)",
            f"{_ms(p['api_unit_ms'])}, **{p['ratio_unit']}×**",
        ),
    ]
    for label in ("all", "unit"):
        k = p[f"check_{label}"]
        rows.append(
            (
                f"reports: API = bare SQL ({label})",
                f"summary {'**equal**' if k['summary_matches'] else '**DIFFERENT**'} "
                f"({k['api_summary']} against people {k['people']:,}, met {k['met']:,}); "
                f"rows differing **{k['rows_differing']}**",
            )
        )
    for kind in ("csv", "xlsx"):
        e = p[f"export_{kind}"]
        what = (
            f"{e['data_rows']:,} data rows + header, BOM {e['bom']}, NIPs as the bare SQL's: "
            f"{e['nips_match']}"
            if kind == "csv"
            else f"{e['sheet_rows']:,} sheet rows"
        )
        rows.append(
            (
                f"reports: `format={kind}` export, server RSS growth (target ≤ 50 MB)",
                f"**{e['rss_growth_mb']} MB** ({e['rss_before_mb']} → {e['rss_peak_mb']} MB), "
                f"{e['seconds']} s, {e['bytes'] / 1e6:.1f} MB, HTTP {e['status']}; {what}",
            )
        )
    return rows


def _command(database: str, parts: list[str]) -> str:
    knobs = [
        f"{k}={shlex.quote(v)}"
        for k, v in sorted(os.environ.items())
        if k.startswith("BENCH_") and k not in ("BENCH_DATABASE", "BENCH_ONLY")
    ]
    only = "" if parts == list(PARTS) else f" --only {','.join(parts)}"
    return " ".join(
        [*knobs, f"BENCH_DATABASE={database}", ".venv/bin/python -m tests.benchmarks.run" + only]
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database",
        choices=("sqlite", "postgres"),
        default=os.environ.get("BENCH_DATABASE") or "sqlite",
    )
    parser.add_argument(
        "--only",
        default=os.environ.get("BENCH_ONLY") or ",".join(PARTS),
        help=f"comma-separated parts among {', '.join(PARTS)}",
    )
    args = parser.parse_args(argv)
    parts = [p.strip() for p in args.only.split(",") if p.strip()]
    unknown = [p for p in parts if p not in PARTS]
    if unknown:
        parser.error(f"unknown part(s) {', '.join(unknown)}; choose among {', '.join(PARTS)}")
    parts = [p for p in PARTS if p in parts]
    database = args.database
    cores = os.cpu_count() or 2
    workers = int(os.environ.get("BENCH_WORKERS") or (1 if database == "sqlite" else cores))
    learners = int(os.environ.get("BENCH_LEARNERS") or (300 if database == "sqlite" else 1000))

    results, setup = run_parts(parts, database, workers, learners)
    if "reports" in parts:
        print("[bench] reports …", file=sys.stderr, flush=True)
        try:
            results["reports"] = reports.run(database, workers)
        except Exception:
            results["reports"] = {"failed": traceback.format_exc(limit=6)[-2500:]}
    if "certificates" in parts:
        print("[bench] certificates …", file=sys.stderr, flush=True)
        try:
            results["certificates"] = part_certificates()
        except Exception:
            results["certificates"] = {"failed": traceback.format_exc(limit=4)[-2500:]}

    load = os.getloadavg()
    figures = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.machine()}, {cores} cores, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}; load average at the end "
        f"{load[0]:.1f}; load generator on the same cores",
        "server": f"`cakap serve`, uvicorn, {workers} worker(s), "
        + ("SQLite (WAL)" if database == "sqlite" else "PostgreSQL (fresh database)")
        + ("; reports: on its kept database (reports.py)" if "reports" in parts else ""),
        "command": _command(database, parts),
        "setup": setup,
        "results": results,
    }
    out_dir = ROOT / "var" / "bench"
    out_dir.mkdir(parents=True, exist_ok=True)
    text = table(figures)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    for name in ("latest", f"{stamp}-{database}"):
        (out_dir / f"{name}.json").write_text(json.dumps(figures, indent=2, default=str))
        (out_dir / f"{name}.md").write_text(text)
    print(text)
    for part, result in results.items():
        for via, sub in result.items() if part == "import" else ():
            if isinstance(sub, dict) and "failed" in sub:
                print(f"--- import ({via}) failed:\n{sub['failed']}", file=sys.stderr)
        if "failed" in result:
            print(f"--- {part} failed:\n{result['failed']}", file=sys.stderr)
        if "server_died" in result:
            print(f"--- the server died during {part}:\n{result['server_died']}", file=sys.stderr)
    print(f"Figures in {out_dir / 'latest.json'}; reproduce with: {figures['command']}")


if __name__ == "__main__":
    main()
