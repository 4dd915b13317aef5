"""`make bench`: start a real server with several workers on a fresh SQLite database, log in as
the demo learner, and drive load from a separate process (wrk, or a Python client when wrk is
missing). Prints requests/s of the catalogue page as a ratio to /healthz measured in the same
run, and writes the figures to var/bench/latest.md.

Not part of the test run: numbers depend on the machine and are reported, not asserted."""

from __future__ import annotations

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
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

from app.config import ROOT
from app.demo import LEARNER, LEARNER_PASSWORD

DURATION = int(os.environ.get("BENCH_SECONDS", "10"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
WORKERS = int(os.environ.get("BENCH_WORKERS", str(os.cpu_count() or 2)))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "2"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _request(
    port: int, method: str, path: str, body: str = "", cookie: str = ""
) -> tuple[int, dict[str, str], str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"Cookie": cookie} if cookie else {}
    if body:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    text = response.read().decode()
    result = response.status, {k.lower(): v for k, v in response.getheaders()}, text
    conn.close()
    return result


def _cookies(headers_list: list[tuple[str, str]]) -> dict[str, str]:
    jar = {}
    for name, value in headers_list:
        if name.lower() == "set-cookie":
            key, _, rest = value.partition("=")
            jar[key] = rest.split(";", 1)[0]
    return jar


def login(port: int) -> str:
    """Log the demo learner in through the real forms; returns the Cookie header."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", "/login")
    response = conn.getresponse()
    jar = _cookies(response.getheaders())
    token = re.search(r'name="csrf_token" value="([^"]+)"', response.read().decode()).group(1)  # type: ignore[union-attr]
    body = urllib.parse.urlencode(
        {"username": LEARNER[0], "password": LEARNER_PASSWORD, "csrf_token": token, "next": "/"}
    )
    conn.request(
        "POST",
        "/login",
        body=body,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": "; ".join(f"{k}={v}" for k, v in jar.items()),
        },
    )
    response = conn.getresponse()
    response.read()
    jar.update(_cookies(response.getheaders()))
    cookie = "; ".join(f"{k}={v}" for k, v in jar.items())
    status, _, page = _request(port, "GET", "/privacy", cookie=cookie)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    _request(
        port, "POST", "/privacy", body=urllib.parse.urlencode({"csrf_token": token}), cookie=cookie
    )
    status, _, page = _request(port, "GET", "/courses", cookie=cookie)
    assert status == 200 and "Katalog kursus" in page, "the benchmark could not log in"
    return cookie


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


def measure(port: int, path: str, cookie: str) -> dict[str, float]:
    """Requests per second for one path, from a separate process."""
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
        errors = int(non2xx.group(1)) if non2xx else 0
        return {"rps": rps, "errors": errors, "tool": 0}
    clients = min(CONNECTIONS, 8)
    with ProcessPoolExecutor(clients) as pool:
        results = list(pool.map(_python_load, [(port, path, cookie, DURATION)] * clients))
    ok = sum(r[0] for r in results)
    return {"rps": ok / DURATION, "errors": sum(r[1] for r in results), "tool": 1}


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
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "app", "serve", "--port", str(port), "--workers", str(WORKERS)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                if _request(port, "GET", "/readyz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.2)
        cookie = login(port)
        # alternate the endpoints so that drift hits both alike
        health: list[float] = []
        catalogue: list[float] = []
        errors = 0
        for _ in range(ROUNDS):
            h = measure(port, "/healthz", cookie)
            c = measure(port, "/courses", cookie)
            health.append(h["rps"])
            catalogue.append(c["rps"])
            errors += int(h["errors"] + c["errors"])
        tool = "wrk" if shutil.which("wrk") else "python http.client"
    finally:
        server.terminate()
        server.wait(timeout=15)

    h_rps = max(health)
    c_rps = max(catalogue)
    ratio = c_rps / h_rps if h_rps else 0.0
    machine = f"{platform.machine()}, {os.cpu_count()} cores, {platform.system()} {platform.release()}, Python {platform.python_version()}"
    figures = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine,
        "server": f"uvicorn, {WORKERS} workers, SQLite (WAL)",
        "load": f"{tool}, {CONNECTIONS} connections, {DURATION}s per run, best of {ROUNDS}",
        "healthz_rps": round(h_rps, 1),
        "catalogue_rps": round(c_rps, 1),
        "catalogue_to_healthz": round(ratio, 3),
        "errors": errors,
    }
    out_dir = ROOT / "var" / "bench"
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "latest.json").write_text(json.dumps(figures, indent=2))
    lines = [
        f"| measured | {figures['date']} |",
        f"| machine | {machine} |",
        f"| server | {figures['server']} |",
        f"| load | {figures['load']} |",
        f"| `/healthz` | {figures['healthz_rps']} req/s |",
        f"| `/courses` (logged in, catalogue) | {figures['catalogue_rps']} req/s |",
        f"| ratio catalogue / healthz | **{figures['catalogue_to_healthz']}** |",
        f"| non-2xx responses or errors | {errors} |",
    ]
    table = "| figure | value |\n|---|---|\n" + "\n".join(lines) + "\n"
    (out_dir / "latest.md").write_text(table)
    print(table)


if __name__ == "__main__":
    main()
