"""The 20-JP report over 100,000 learners (PRODUCT.md §6 "Reports"), `make bench`'s `reports` part.

    BENCH_ONLY=reports BENCH_DATABASE=postgres make bench
    .venv/bin/python -m tests.benchmarks.reports_indexes     # which indexes the aggregate uses

1. The data (tests/benchmarks/reports_data.py) lives in a database of its own that is kept and
   reused while it holds the same parameters: `cakap_bench_reports` (BENCH_REPORTS_DB) on
   BENCH_POSTGRES_URL's server, or var/bench/reports-<learners>.db. `cakap init` runs on it
   every time (the real migrations, so an index added by a later migration is there), then
   VACUUM ANALYZE.
2. The bare SQL aggregate (the hand-written GROUP BY over user_account ⟕ jp_entry for the year,
   active and not retired, in the instansi; the same per-person rows) straight on the driver
   (psycopg or sqlite3), median of BENCH_REPORTS_RUNS after a warm-up; for the whole instansi
   and for one OPD with its sub-units (`unit=`, BENCH_REPORTS_UNIT).
3. `GET /api/v1/reports/jp?year=…[&unit=…]` (JSON, every row) on `cakap serve`, as the
   instansi's HR officer with a bearer token, median of as many runs, each run right after a
   run of the bare SQL (both medians are taken from these pairs); the ratio to the bare SQL
   (budget ≤ 2×), and the answer compared row by row with the bare SQL's.
4. `format=csv` and `format=xlsx` for the whole instansi on the freshly started server (before
   any JSON answer has grown it), with the resident memory of the server's processes sampled
   every 5 ms: growth at the peak over the figure just before (budget ≤ 50 MB), the time, and
   the rows (the CSV: one header row and one row per person).

While the endpoint does not exist (404 Not Found), the bare SQL figures are reported with that
message and no ratio."""

from __future__ import annotations

import csv
import http.client
import io
import json
import os
import re
import sqlite3
import statistics
import sys
import threading
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app.config import ROOT
from app.core import clock, security
from app.core.db import Database
from tests.benchmarks import reports_data
from tests.benchmarks.harness import POSTGRES_URL, Server, app_env, free_port, run_cli

RUNS = int(os.environ.get("BENCH_REPORTS_RUNS", "5"))
UNIT = os.environ.get("BENCH_REPORTS_UNIT", "D02")  # Dinas Kesehatan, about a tenth of everyone
DB_NAME = os.environ.get("BENCH_REPORTS_DB", "cakap_bench_reports")  # kept, reused
ENDPOINT = "/api/v1/reports/jp"

# The report, as a person would write it by hand: same rows as the API's. A unit filter is the
# unit's subtree, looked up first (SUBTREE) as the app's scope does (app/org: subtree_ids).
BARE_SQL = """
SELECT u.nip, u.name, un.name AS unit,
       COALESCE(SUM(j.jp), 0) AS jp,
       COALESCE(SUM(j.jp) FILTER (WHERE j.source = 'course'), 0) AS jp_cakap,
       COALESCE(SUM(j.jp) FILTER (WHERE j.source = 'external'), 0) AS jp_external,
       COALESCE(SUM(j.jp), 0) >= 20 AS met
FROM user_account u
LEFT JOIN unit un ON un.id = u.unit_id
LEFT JOIN jp_entry j ON j.user_id = u.id AND j.year = :year
WHERE u.instansi_id = :instansi AND u.is_active
  AND (u.retired_on IS NULL OR u.retired_on > :today){in_units}
GROUP BY u.id, u.nip, u.name, un.name
ORDER BY u.name, u.id"""
SUBTREE = """WITH RECURSIVE subtree(id) AS (
    SELECT id FROM unit WHERE instansi_id = :instansi AND code = :unit
    UNION ALL SELECT unit.id FROM unit JOIN subtree ON unit.parent_id = subtree.id)
SELECT id FROM subtree"""


def _style(query: str, paramstyle: str) -> str:
    return re.sub(r":(\w+)", r"%(\1)s", query) if paramstyle == "pyformat" else query


def bare_sql(*, unit_ids: list[int] | None = None, paramstyle: str = "named") -> str:
    """The bare aggregate, for the people of the units `unit_ids` when given (a subtree, see
    `subtree_sql`). `pyformat` for psycopg."""
    in_units = ""
    if unit_ids is not None:
        in_units = f"\n  AND u.unit_id IN ({', '.join(str(int(i)) for i in unit_ids) or 'NULL'})"
    return _style(BARE_SQL.format(in_units=in_units), paramstyle)


def subtree_sql(paramstyle: str = "named") -> str:
    """The ids of the unit `:unit` of `:instansi` and of all units under it."""
    return _style(SUBTREE, paramstyle)


def default_scale(database: str) -> reports_data.Scale:
    learners = int(
        os.environ.get("BENCH_REPORTS_LEARNERS") or (100_000 if database == "postgres" else 5_000)
    )
    progress = int(os.environ.get("BENCH_REPORTS_PROGRESS") or 10 * learners)
    today = clock.local_today()
    return reports_data.Scale(learners=learners, progress=progress, year=today.year, today=today)


# -- the kept database ------------------------------------------------------------------------


@dataclass
class Prepared:
    database: str  # postgres | sqlite
    url: str
    env: dict[str, str]
    scale: reports_data.Scale
    marker: dict[str, Any]
    generated_s: float | None  # None: reused


def _postgres_url() -> str:
    return make_url(POSTGRES_URL).set(database=DB_NAME).render_as_string(hide_password=False)


def _recreate_postgres() -> None:
    admin = create_engine(
        make_url(POSTGRES_URL).set(database="postgres"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{DB_NAME}"'))
    admin.dispose()


def _postgres_exists() -> bool:
    admin = create_engine(make_url(POSTGRES_URL).set(database="postgres"))
    with admin.connect() as conn:
        found = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": DB_NAME})
        exists = found.first() is not None
    admin.dispose()
    return exists


def _marker(url: str) -> tuple[dict[str, Any] | None, int]:
    database = Database(url, pool_size=1)
    try:
        with database.unit_of_work(write=False) as session:
            people = session.execute(text("SELECT count(*) FROM user_account")).scalar() or 0
            return reports_data.marker(session), int(people)
    finally:
        database.dispose()


def ensure(database: str, scale: reports_data.Scale, log: Callable[[str], None]) -> Prepared:
    """The generated database for `scale`: reused when its marker matches, else (re)built."""
    if database == "postgres":
        url = _postgres_url()
        if not _postgres_exists():
            _recreate_postgres()
    else:
        path = ROOT / "var" / "bench" / f"reports-{scale.learners}.db"
        path.parent.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{path}"
    env = app_env(url, ROOT / "var" / "bench" / "reports-data")
    run_cli(env, "init")  # migrations up to head, the shipped courses; idempotent
    marker, people = _marker(url)
    generated_s = None
    if marker is None or marker.get("scale") != scale.key():
        if marker is not None or people:
            log(f"{url}: other data ({people:,} people); rebuilding it")
            if database == "postgres":
                _recreate_postgres()
            else:
                Path(url.removeprefix("sqlite:///")).unlink()
            run_cli(env, "init")
        log(f"generating {scale.learners:,} learners and {scale.progress:,} progress rows …")
        t0 = time.perf_counter()
        db = Database(url, pool_size=1)
        try:
            with db.unit_of_work() as session:
                reports_data.generate(session, scale, security.hash_password(reports_data.PASSWORD))
        finally:
            db.dispose()
        generated_s = round(time.perf_counter() - t0, 1)
        log(f"generated in {generated_s} s")
        marker, _ = _marker(url)
        assert marker is not None
    else:
        log(f"reusing {url} (generated {marker.get('today')})")
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:  # fresh statistics and visibility map: plans as in production
        conn.execute(text("VACUUM ANALYZE" if database == "postgres" else "ANALYZE"))
    engine.dispose()
    return Prepared(database, url, env, scale, marker, generated_s)


# -- the bare SQL -------------------------------------------------------------------------------


class Bare:
    """The bare aggregate on the driver itself (psycopg or sqlite3), one connection."""

    def __init__(self, prepared: Prepared) -> None:
        self.postgres = prepared.database == "postgres"
        if self.postgres:
            import psycopg

            conninfo = prepared.url.replace("postgresql+psycopg://", "postgresql://")
            self.conn: Any = psycopg.connect(conninfo, autocommit=True)
        else:
            self.conn = sqlite3.connect(prepared.url.removeprefix("sqlite:///"))
        counts = prepared.marker["counts"]
        self.params = {
            "year": prepared.scale.year,
            "instansi": counts["instansi_id"],
            "today": clock.local_today() if self.postgres else clock.local_today().isoformat(),
        }

    def _run(self, query: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
        if self.postgres:
            with self.conn.cursor() as cur:
                cur.execute(query, params, prepare=False)
                return list(cur.fetchall())
        return list(self.conn.execute(query, params).fetchall())

    def unit_ids(self, unit: str) -> list[int]:
        style = "pyformat" if self.postgres else "named"
        rows = self._run(subtree_sql(style), {"instansi": self.params["instansi"], "unit": unit})
        return [int(r[0]) for r in rows]

    def rows(self, *, unit: str | None = None) -> list[tuple[Any, ...]]:
        """The report's rows; with `unit`, its subtree is looked up first (and timed)."""
        ids = self.unit_ids(unit) if unit else None
        query = bare_sql(unit_ids=ids, paramstyle="pyformat" if self.postgres else "named")
        return self._run(query, self.params)

    def close(self) -> None:
        self.conn.close()


def _paired(
    bare: Callable[[], Any], api: Callable[[], Any], runs: int
) -> tuple[float, float, Any, Any]:
    """Median milliseconds of `bare` and of `api`, called in turn `runs` times after a warm-up
    of each (in turn, so that what else the machine does weighs on both alike); the last
    results."""
    bare(), api()
    bare_ms, api_ms = [], []
    for _ in range(runs):
        t0 = time.perf_counter()
        rows = bare()
        t1 = time.perf_counter()
        answer = api()
        bare_ms.append((t1 - t0) * 1000)
        api_ms.append((time.perf_counter() - t1) * 1000)
    return statistics.median(bare_ms), statistics.median(api_ms), rows, answer


def _timed(call: Callable[[], Any], runs: int) -> tuple[float, Any]:
    """Median wall-clock milliseconds of `runs` calls after one warm-up, and the last result."""
    result = call()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        result = call()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), result


# -- the server ---------------------------------------------------------------------------------


def _descendants(pid: int) -> list[int]:
    todo, seen = [pid], []
    while todo:
        current = todo.pop()
        seen.append(current)
        try:
            for task in Path(f"/proc/{current}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, ValueError):
            continue
    return seen


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its descendants (uvicorn's workers), in MB."""
    total = 0
    for p in _descendants(pid):
        try:
            status = Path(f"/proc/{p}/status").read_text()
        except OSError:
            continue
        match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.M)
        total += int(match.group(1)) if match else 0
    return total / 1024


class Client:
    def __init__(self, port: int, token: str = "") -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        self.token = token

    def request(self, method: str, path: str, body: Any = None) -> tuple[int, bytes]:
        headers = {"Accept-Encoding": "identity"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        self.conn.request(method, path, body=payload, headers=headers)
        response = self.conn.getresponse()
        return response.status, response.read()


def _export(client: Client, pid: int, path: str) -> dict[str, Any]:
    """GET `path` while sampling the server's memory every 5 ms."""
    before = rss_mb(pid)
    peak = [before]
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], rss_mb(pid))
            time.sleep(0.005)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    t0 = time.perf_counter()
    status, body = client.request("GET", path)
    seconds = time.perf_counter() - t0
    stop.set()
    sampler.join()
    return {
        "status": status,
        "seconds": round(seconds, 2),
        "bytes": len(body),
        "rss_before_mb": round(before, 1),
        "rss_peak_mb": round(peak[0], 1),
        "rss_growth_mb": round(peak[0] - before, 1),
        "body": body,
    }


def _csv_rows(body: bytes) -> tuple[int, set[str], bool]:
    """Data rows, the NIPs (digits only) and whether the file starts with a BOM."""
    content = body.decode("utf-8-sig")
    first = content.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","  # Excel in Indonesia: ";"
    reader = csv.reader(io.StringIO(content), delimiter=delimiter)
    header = [h.strip().lower() for h in next(reader)]
    column = header.index("nip") if "nip" in header else 0
    nips, rows = set(), 0
    for row in reader:
        if row:
            rows += 1
            nips.add(re.sub(r"\D", "", row[column]))
    return rows, nips, body.startswith(b"\xef\xbb\xbf")


def _xlsx_rows(body: bytes) -> int:
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
        rows = 0
        for name in sheets:
            with archive.open(name) as sheet:
                tail = b""
                while chunk := sheet.read(1 << 20):
                    rows += (tail + chunk).count(b"<row ")
                    tail = chunk[-4:]
        return rows


def _compare(api: dict[str, Any], bare: list[tuple[Any, ...]]) -> dict[str, Any]:
    """The API's answer against the bare SQL's rows: summary and every person's figures."""
    expected = {r[0]: (int(r[3]), int(r[4]), int(r[5]), bool(r[6])) for r in bare}
    got = {
        str(r["nip"]): (int(r["jp"]), int(r["jp_cakap"]), int(r["jp_external"]), bool(r["met"]))
        for r in api.get("rows", [])
    }
    met = sum(1 for v in expected.values() if v[3])
    summary = api.get("summary", {})
    percent = round(100 * met / len(expected), 1) if expected else 0.0
    return {
        "people": len(expected),
        "met": met,
        "api_summary": summary,
        "summary_matches": summary.get("people") == len(expected)
        and summary.get("met") == met
        and abs(float(summary.get("percent_met") or 0) - percent) <= 0.1,
        "rows_differing": sum(1 for k, v in expected.items() if got.get(k) != v)
        + sum(1 for k in got if k not in expected),
    }


def run(database: str, workers: int, log: Callable[[str], None] | None = None) -> dict[str, Any]:
    say = log or (lambda message: print(f"[bench] reports: {message}", file=sys.stderr, flush=True))
    scale = default_scale(database)
    t0 = time.perf_counter()
    prepared = ensure(database, scale, say)
    counts = prepared.marker["counts"]
    result: dict[str, Any] = {
        "learners": counts["people"],
        "progress_rows": counts["lesson_progress"],
        "counts": counts,
        "year": scale.year,
        "unit": UNIT,
        "runs": RUNS,
        "generated_s": prepared.generated_s,
        "prepare_s": round(time.perf_counter() - t0, 1),
    }
    bare = Bare(prepared)
    try:
        for label, unit in (("all", None), ("unit", UNIT)):
            ms, rows = _timed(lambda unit=unit: bare.rows(unit=unit), RUNS)
            result[f"bare_{label}_ms"] = round(ms, 1)
            result[f"bare_{label}_rows"] = len(rows)
            result[f"_bare_{label}"] = rows
    finally:
        bare.close()
    say(f"bare SQL {result['bare_all_ms']} ms ({result['bare_all_rows']:,} rows)")

    workdir = ROOT / "var" / "bench"
    port = free_port()
    with Server(prepared.env, port, workers, workdir / "reports-server.log") as server:
        assert server.process is not None
        pid = server.process.pid
        client = Client(port)
        status, body = client.request(
            "POST",
            "/api/v1/auth/token",
            {"username": counts["hr_nip"], "password": reports_data.PASSWORD},
        )
        assert status == 200, f"HR token: {status} {body[:300]!r}"
        client.token = json.loads(body)["access_token"]
        year = scale.year
        probe = f"{ENDPOINT}?year={year}&unit={UNIT}.B2.S1"
        status, body = client.request("GET", probe)
        if status == 404 and b"Not Found" in body:
            result["endpoint"] = "missing"
            result["message"] = (
                f"GET {ENDPOINT} answers 404 Not Found: the endpoint is not there yet (issue 11, "
                "reports). Only the bare SQL is measured; no ratio, no export figures."
            )
            say(result["message"])
            return _public(result)
        if status != 200:
            raise AssertionError(f"GET {probe}: {status} {body[:500]!r}")
        result["endpoint"] = "present"
        # Exports first, on a server that no large answer has grown yet; a small export of
        # each kind first, so that loading a module is not counted as growth.
        for kind in ("csv", "xlsx"):
            client.request("GET", f"{probe}&format={kind}")
        for kind in ("csv", "xlsx"):
            export = _export(client, pid, f"{ENDPOINT}?year={year}&format={kind}")
            data = export.pop("body")
            if kind == "csv":
                rows, nips, bom = _csv_rows(data)
                export.update(
                    data_rows=rows,
                    bom=bom,
                    nips_match=nips == {r[0] for r in result["_bare_all"]},
                )
            else:
                export["sheet_rows"] = _xlsx_rows(data)
            result[f"export_{kind}"] = export
            say(f"{kind}: {export}")
        bare = Bare(prepared)
        try:
            for label, unit in (("all", None), ("unit", UNIT)):
                path = f"{ENDPOINT}?year={year}" + (f"&unit={unit}" if unit else "")
                paired = _paired(
                    lambda unit=unit: bare.rows(unit=unit),
                    lambda path=path: client.request("GET", path),
                    RUNS,
                )
                bare_ms, api_ms, rows, (status, body) = paired
                assert status == 200, f"GET {path}: {status} {body[:300]!r}"
                result[f"bare_{label}_ms"] = round(bare_ms, 1)
                result[f"api_{label}_ms"] = round(api_ms, 1)
                result[f"api_{label}_bytes"] = len(body)
                result[f"ratio_{label}"] = round(api_ms / bare_ms, 2)
                result[f"check_{label}"] = _compare(json.loads(body), rows)
                say(f"{path}: {api_ms:.0f} ms against {bare_ms:.0f} ms")
        finally:
            bare.close()
        result["server_rss_end_mb"] = round(rss_mb(pid), 1)
    return _public(result)


def _public(result: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in result.items() if not k.startswith("_")}
