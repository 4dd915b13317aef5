"""`make bench`: the PRODUCT.md §6 figures this release can measure, on a real server.

A fresh SQLite database gets the shipped courses and the demo; `cakap serve` runs with one
worker per core; load comes from separate processes (wrk, or Python when wrk is missing).
Figures are printed and written to var/bench/latest.{json,md}; they are reported, never
asserted, because they depend on the machine.

1. Pages vs /healthz in the same run: the catalogue and a logged-in lesson page.
2. Exam spike: BENCH_SPIKE learners start the same post-test at once and save every answer.
3. Bytes on the wire for a first visit to a lesson page (headless Chromium, gzip)."""

from __future__ import annotations

import asyncio
import http.client
import json
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from app.config import ROOT
from app.demo import LEARNER, LEARNER_PASSWORD

DURATION = int(os.environ.get("BENCH_SECONDS", "10"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
WORKERS = int(os.environ.get("BENCH_WORKERS", str(os.cpu_count() or 2)))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "2"))
SPIKE = int(os.environ.get("BENCH_SPIKE", "300"))
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Browser:
    """A tiny cookie-keeping HTTP client for setting up the benchmark through the real forms."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.jar: dict[str, str] = {}

    @property
    def cookie(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.jar.items())

    def request(
        self, method: str, path: str, form: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], str]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Cookie": self.cookie}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.jar[key] = rest.split(";", 1)[0]
        text = response.read().decode()
        conn.close()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, text

    def post_form(
        self, page: str, action: str, extra: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], str]:
        _, _, html = self.request("GET", page)
        match = CSRF.search(html)
        assert match, f"no form on {page}"
        return self.request("POST", action, {"csrf_token": match.group(1), **(extra or {})})


def setup_learner(port: int) -> tuple[str, str]:
    """Log the demo learner in, accept the notice, enrol; returns (cookie, lesson path)."""
    b = Browser(port)
    b.post_form(
        "/login", "/login", {"username": LEARNER[0], "password": LEARNER_PASSWORD, "next": "/"}
    )
    b.post_form("/privacy", "/privacy")
    b.post_form("/courses/literasi-digital", "/courses/literasi-digital/enrol")
    status, headers, _ = b.request("GET", "/courses/literasi-digital/resume")
    assert status == 303, status
    lesson = headers["location"]
    status, _, page = b.request("GET", lesson)
    assert status == 200 and "Tandai selesai" in page, "the benchmark could not open a lesson"
    return b.cookie, lesson


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


def page_weight(base: str, cookie: str, lesson: str) -> dict[str, Any]:
    """Bytes transferred (headers + compressed bodies) for a first visit to the lesson page."""
    from playwright.sync_api import sync_playwright

    from tests.e2e.browser import launch

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
        page.goto(f"{base}{lesson}", wait_until="networkidle")
        browser.close()
    return {"bytes": sum(sizes), "requests": len(sizes), "hosts": sorted(hosts)}


def main() -> None:
    workdir = Path(tempfile.mkdtemp(prefix="cakap-bench-"))
    env = dict(
        os.environ,
        CAKAP_DATABASE_URL=f"sqlite:///{workdir / 'bench.db'}",
        CAKAP_DATA_DIR=str(workdir),
    )
    env.pop("CAKAP_TEST_DATABASE_URL", None)
    for step in (["init"], ["demo"]):
        subprocess.run(
            [sys.executable, "-m", "app", *step], env=env, cwd=ROOT, check=True, capture_output=True
        )

    os.environ.update(CAKAP_DATABASE_URL=env["CAKAP_DATABASE_URL"])
    from app.config import get_settings
    from app.core.db import Database
    from tests.benchmarks.exam_spike import prepare, spike

    get_settings.cache_clear()
    database = Database(env["CAKAP_DATABASE_URL"])
    with database.unit_of_work() as session:
        tokens, quiz_id = prepare(session, SPIKE)
    database.dispose()

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "app", "serve", "--port", str(port), "--workers", str(WORKERS)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(150):
            try:
                if Browser(port).request("GET", "/readyz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.2)
        cookie, lesson = setup_learner(port)
        runs: dict[str, list[float]] = {"/healthz": [], "/courses": [], lesson: []}
        errors = 0
        for _ in range(ROUNDS):
            for path in runs:
                result = measure(port, path, cookie)
                runs[path].append(result["rps"])
                errors += int(result["errors"])
        weight = page_weight(base, cookie, lesson)
        spike_result = asyncio.run(spike(base, tokens, quiz_id))
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()

    health, catalogue, lesson_rps = (max(runs[p]) for p in runs)
    machine = (
        f"{platform.machine()}, {os.cpu_count()} cores, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}"
    )
    figures = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine,
        "server": f"uvicorn, {WORKERS} workers, SQLite (WAL)",
        "load": f"{'wrk' if shutil.which('wrk') else 'python'}, {CONNECTIONS} connections, {DURATION}s per run, best of {ROUNDS}",
        "healthz_rps": round(health, 1),
        "catalogue_rps": round(catalogue, 1),
        "lesson_rps": round(lesson_rps, 1),
        "catalogue_to_healthz": round(catalogue / health, 3),
        "lesson_to_healthz": round(lesson_rps / health, 3),
        "page_errors": errors,
        "lesson_first_visit": weight,
        "exam_spike": spike_result,
    }
    out_dir = ROOT / "var" / "bench"
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "latest.json").write_text(json.dumps(figures, indent=2))
    s = spike_result
    rows = [
        ("measured", figures["date"]),
        ("machine", machine),
        ("server", figures["server"]),
        ("load", figures["load"]),
        ("`/healthz`", f"{figures['healthz_rps']} req/s"),
        ("`/courses` (catalogue, logged in)", f"{figures['catalogue_rps']} req/s"),
        ("lesson page (logged in, enrolled)", f"{figures['lesson_rps']} req/s"),
        ("ratio catalogue / healthz", f"**{figures['catalogue_to_healthz']}**"),
        ("ratio lesson / healthz (target ≥ 0.5)", f"**{figures['lesson_to_healthz']}**"),
        ("non-2xx during page runs", str(errors)),
        (
            "lesson page, first visit (target ≤ 60 KB)",
            f"**{weight['bytes'] / 1024:.1f} KB** in {weight['requests']} requests, hosts: {', '.join(weight['hosts'])}",
        ),
        (
            f"exam spike: {s['learners']} learners, {s['requests']} requests in {s['seconds']} s",
            f"errors **{s['errors']}**, answers lost **{s['answers_lost']}**, duplicate attempts {s['duplicate_attempts']}",
        ),
        (
            "exam spike: start attempt p50 / p95 / p99",
            f"{s['start_p50_ms']} / {s['start_p95_ms']} / {s['start_p99_ms']} ms",
        ),
        (
            "exam spike: save answer p50 / p95 / p99",
            f"{s['save_p50_ms']} / {s['save_p95_ms']} / {s['save_p99_ms']} ms",
        ),
    ]
    table = "| figure | value |\n|---|---|\n" + "\n".join(f"| {k} | {v} |" for k, v in rows) + "\n"
    (out_dir / "latest.md").write_text(table)
    print(table)
    if s["error_kinds"]:
        print("exam spike error kinds:", s["error_kinds"])


if __name__ == "__main__":
    main()
