"""What the burst test (tests/test_burst.py) and the benchmarks (tests/benchmarks/run.py) share.

- `fresh_database`: a SQLite file, or a PostgreSQL database of its own (dropped afterwards).
- `app_env`, `run_cli`: the `cakap` CLI on that database, in a subprocess.
- `Server`: the real `cakap serve` (uvicorn, N workers) in a subprocess, ready when /readyz is.
- `log_in`: a learner logged in through the real forms (cookie), enrolled, with a lesson URL and
  an API bearer token.
- `Http`: one keep-alive HTTP/1.1 connection on asyncio streams, and `Pool`, connections shared
  by many simulated people. They cost tens of microseconds per request, so the load generator
  leaves the two cores of this machine to the server (httpx took 16 ms of CPU per request with
  a thousand learners on one pool: more than the server).
- `burst`: N connections opened first, then all firing at once, while /healthz is polled on a
  fresh connection every 100 ms, during the burst and after it."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import zlib
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from app.config import ROOT

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
POSTGRES_URL = os.environ.get(
    "BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def machine_cpu() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine so far, from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    tick = os.sysconf("SC_CLK_TCK")
    idle = fields[3] + fields[4]  # idle + iowait
    return (sum(fields) - idle) / tick, sum(fields) / tick


def processes_cpu(name: str) -> float:
    """CPU seconds used so far by every process called `name` (e.g. the PostgreSQL server's
    backends; read from /proc, nothing is touched)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        if text[text.find("(") + 1 : text.rfind(")")] == name:
            fields = text.rsplit(")", 1)[1].split()
            # utime, stime, and those of reaped children: a backend that ended is then counted
            # in the postmaster's, so the sum never goes down
            total += sum(int(f) for f in fields[11:15])
    return total / tick


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile of `values` (0.0 when empty)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))]


# -- databases and the CLI --------------------------------------------------------------------


@contextmanager
def fresh_database(workdir: Path, postgres_url: str | None, label: str) -> Iterator[str]:
    """The URL of an empty database: a SQLite file in `workdir` when `postgres_url` is None,
    otherwise a new database `<label>_<pid>` on the PostgreSQL server of `postgres_url`,
    dropped (connections included) on exit."""
    if postgres_url is None:
        yield f"sqlite:///{workdir / 'cakap.db'}"
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    url = make_url(postgres_url)
    name = f"{label}_{os.getpid()}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        if not os.environ.get("BENCH_KEEP_DATABASE"):
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def app_env(database_url: str, data_dir: Path, port: int | None = None) -> dict[str, str]:
    """The environment of a `cakap` subprocess on `database_url` (nothing inherited from the
    test run's own database settings)."""
    env = dict(os.environ)
    env.pop("CAKAP_TEST_DATABASE_URL", None)
    env.update(
        CAKAP_DATABASE_URL=database_url,
        CAKAP_DATA_DIR=str(data_dir),
        CAKAP_SECRET_KEY="burst-and-bench-secret-key",
    )
    if port is not None:
        env["CAKAP_BASE_URL"] = f"http://127.0.0.1:{port}"
    return env


def run_cli(env: dict[str, str], *args: str, timeout: float = 600) -> str:
    """`python -m app ARGS` in a subprocess; its output, or an error carrying its stderr."""
    done = subprocess.run(
        [sys.executable, "-m", "app", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if done.returncode != 0:
        raise RuntimeError(
            f"cakap {' '.join(args)} exited {done.returncode}:\n{done.stdout[-2000:]}\n"
            f"{done.stderr[-4000:]}"
        )
    return done.stdout


# -- the server -------------------------------------------------------------------------------


class Server:
    """`python -m app serve --host 127.0.0.1 --port PORT --workers N` in its own process group,
    and with `jobs` `python -m app worker` too; their output goes to `log`. Entering waits until
    /readyz answers 200; leaving stops them (SIGTERM, then SIGKILL to the process group after
    15 s)."""

    def __init__(
        self, env: dict[str, str], port: int, workers: int, log: Path, *, jobs: bool = False
    ) -> None:
        self.env = {**env, "CAKAP_BASE_URL": f"http://127.0.0.1:{port}"}
        self.port = port
        self.workers = workers
        self.jobs = jobs
        self.log = log
        self.base = f"http://127.0.0.1:{port}"
        self.process: subprocess.Popen[bytes] | None = None
        self.worker: subprocess.Popen[bytes] | None = None

    def _start(self, *args: str) -> subprocess.Popen[bytes]:
        with self.log.open("ab") as out:
            return subprocess.Popen(
                [sys.executable, "-m", "app", *args],
                env=self.env,
                cwd=ROOT,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def __enter__(self) -> Server:
        self.process = self._start(
            "serve", "--host", "127.0.0.1", "--port", str(self.port), "--workers", str(self.workers)
        )
        if self.jobs:  # `cakap worker`: the background jobs (imports, certificates)
            self.worker = self._start("worker")
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{self.base}/readyz", timeout=2) as response:
                    if response.status == 200:
                        return self
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the server did not start:\n{self.log_tail()}")
            time.sleep(0.2)

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        for process in (self.process, self.worker):
            if process is not None and process.poll() is None:
                process.terminate()
        for process in (self.process, self.worker):
            if process is None or process.poll() is not None:
                continue
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)  # the group this Popen created
                process.wait()
        self.process = self.worker = None

    def alive(self) -> bool:
        running = self.process is not None and self.process.poll() is None
        return running and (
            not self.jobs or (self.worker is not None and self.worker.poll() is None)
        )

    def cpu_seconds(self) -> float:
        """CPU time (user + system) used so far by the server and the worker, with their child
        processes (uvicorn's workers): Linux /proc."""
        tick = os.sysconf("SC_CLK_TCK")
        seen: set[int] = set()
        todo = [p.pid for p in (self.process, self.worker) if p is not None]
        total = 0
        while todo:
            pid = todo.pop()
            if pid in seen:
                continue
            seen.add(pid)
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                total += sum(int(f) for f in fields[11:15])  # own and reaped children's
                for task in Path(f"/proc/{pid}/task").iterdir():
                    todo += [int(c) for c in (task / "children").read_text().split()]
            except (OSError, ValueError):
                continue
        return total / tick

    def log_tail(self, chars: int = 4000) -> str:
        try:
            return self.log.read_text(errors="replace")[-chars:]
        except OSError:
            return ""


# -- a logged-in learner ----------------------------------------------------------------------


@dataclass(frozen=True)
class Learner:
    cookie: str  # the Cookie header of the logged-in browser
    lesson: str  # path of a lesson page of an enrolled course
    token: str  # API bearer token


def _post_form(
    client: httpx.Client, page: str, action: str, fields: dict[str, str] | None = None
) -> httpx.Response:
    html = client.get(page)
    match = CSRF.search(html.text)
    if match is None:
        raise AssertionError(f"no form with a CSRF token on {page} ({html.status_code})")
    return client.post(action, data={"csrf_token": match.group(1), **(fields or {})})


def log_in(base: str, username: str, password: str, course: str = "literasi-digital") -> Learner:
    """Log in through the login form, accept the privacy notice, enrol in `course`, open its
    first lesson; then ask the API for a bearer token."""
    with httpx.Client(base_url=base, timeout=60) as client:
        r = _post_form(
            client, "/login", "/login", {"username": username, "password": password, "next": "/"}
        )
        assert r.status_code == 303, f"login: {r.status_code} {r.text[:300]}"
        _post_form(client, "/privacy", "/privacy")
        # A course assigned to her unit (the demo assigns literasi-digital to some units)
        # enrols her on the first visit; otherwise she presses "Daftar kursus".
        page = client.get(f"/courses/{course}", follow_redirects=True)
        if f'action="/courses/{course}/enrol"' in page.text:
            _post_form(client, f"/courses/{course}", f"/courses/{course}/enrol")
        r = client.get(f"/courses/{course}/resume")
        assert r.status_code == 303, f"resume: {r.status_code}"
        if r.headers["location"].endswith("/quiz/pretest"):  # the lessons wait for the pre-test
            pretest = f"/courses/{course}/quiz/pretest"
            r = _post_form(client, pretest, f"{pretest}/start")
            attempt = r.headers["location"]
            _post_form(client, attempt, f"{attempt}/submit")
            r = client.get(f"/courses/{course}/resume")
        lesson = r.headers["location"]
        page = client.get(lesson)
        assert page.status_code == 200 and "Tandai selesai" in page.text, f"lesson {lesson}"
        cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
        r = client.post("/api/v1/auth/token", json={"username": username, "password": password})
        assert r.status_code == 200, f"token: {r.status_code} {r.text[:300]}"
        return Learner(cookie=cookie, lesson=lesson, token=r.json()["access_token"])


# -- a lean asyncio HTTP/1.1 client -------------------------------------------------------------


class Http:
    """One keep-alive HTTP/1.1 connection. `request` returns (status, body); a connection the
    server closed raises ConnectionError (counted by callers as an error, never retried)."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.used = time.monotonic()

    async def connect(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(
            self.host, self.port, limit=1 << 20
        )

    async def close(self) -> None:
        writer, self.writer, self.reader = self.writer, None, None
        if writer is not None:
            writer.close()
            with suppress(OSError):
                await writer.wait_closed()

    async def request(
        self,
        method: str,
        path: str,
        headers: dict[str, str] | None = None,
        body: bytes = b"",
        *,
        decompress: bool = False,
    ) -> tuple[int, bytes]:
        """Send one request and read its answer; with `decompress`, a gzip body is inflated."""
        if self.writer is None:
            await self.connect()
        assert self.reader is not None and self.writer is not None
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        if body or method in ("POST", "PUT", "PATCH"):
            lines.append(f"Content-Length: {len(body)}")
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
        status_line = await self.reader.readline()
        if not status_line:
            await self.close()
            raise ConnectionError("connection closed by the server")
        status = int(status_line.split()[1])
        length: int | None = None
        chunked = close = gzipped = False
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            name, value = name.strip().lower(), value.strip().lower()
            if name == "content-length":
                length = int(value)
            elif name == "transfer-encoding":
                chunked = "chunked" in value
            elif name == "connection":
                close = value == "close"
            elif name == "content-encoding":
                gzipped = value == "gzip"
        if method == "HEAD" or status in (204, 304) or status < 200:
            data = b""
        elif chunked:
            parts = []
            while True:
                size = int((await self.reader.readline()).split(b";")[0], 16)
                if size == 0:
                    while (await self.reader.readline()) not in (b"\r\n", b"\n", b""):
                        pass
                    break
                parts.append(await self.reader.readexactly(size))
                await self.reader.readexactly(2)
            data = b"".join(parts)
        elif length is not None:
            data = await self.reader.readexactly(length)
        else:
            data = await self.reader.read()
            close = True
        if close:
            await self.close()
        self.used = time.monotonic()
        if gzipped and decompress:
            data = zlib.decompress(data, 16 + zlib.MAX_WBITS)
        return status, data


class Pool:
    """Keep-alive connections shared by many simulated people (as httpx's pool, without its
    cost: httpcore scans every pooled connection for every request, which with a thousand
    learners took more CPU than the server). At most `size` connections are open; an idle one
    the server closed, or idle for more than 50 s (the server's keep-alive is 75 s), is not
    reused."""

    def __init__(self, host: str, port: int, size: int) -> None:
        self.host, self.port = host, port
        self.idle: list[Http] = []
        self.slots = asyncio.Semaphore(size)

    def _take(self) -> Http:
        while self.idle:
            conn = self.idle.pop()
            reader, writer = conn.reader, conn.writer
            if (
                reader is None
                or writer is None
                or reader.at_eof()
                or writer.is_closing()
                or time.monotonic() - conn.used > 50
            ):
                if writer is not None:
                    writer.close()
                continue
            return conn
        return Http(self.host, self.port)

    async def request(
        self,
        method: str,
        path: str,
        headers: dict[str, str] | None = None,
        body: bytes = b"",
        *,
        timeout: float = 120.0,
        decompress: bool = True,
    ) -> tuple[int, bytes]:
        async with self.slots:
            conn = self._take()
            try:
                answer = await asyncio.wait_for(
                    conn.request(method, path, headers, body, decompress=decompress), timeout
                )
            except BaseException:
                await conn.close()
                raise
            if conn.writer is not None:
                self.idle.append(conn)
            return answer

    async def close(self) -> None:
        idle, self.idle = self.idle, []
        await asyncio.gather(*(c.close() for c in idle))


async def get_once(
    host: str, port: int, path: str, timeout: float, headers: dict[str, str] | None = None
) -> int:
    """GET `path` on a fresh connection (what a load balancer's health check does)."""
    http = Http(host, port)
    try:
        status, _ = await asyncio.wait_for(http.request("GET", path, headers), timeout)
        return status
    finally:
        await http.close()


# -- the burst ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Call:
    label: str
    path: str
    headers: dict[str, str]


def learner_calls(learner: Learner) -> list[Call]:
    """What a logged-in learner's browser and app ask for: the lesson page and the dashboard
    (cookie), and the progress API (bearer token)."""
    page = {"Cookie": learner.cookie, "Accept-Encoding": "gzip"}
    api = {"Authorization": f"Bearer {learner.token}", "Accept-Encoding": "gzip"}
    return [
        Call("lesson page", learner.lesson, page),
        Call("dashboard /", "/", page),
        Call("GET /api/v1/me/progress", "/api/v1/me/progress", api),
    ]


@dataclass
class HealthPolls:
    latencies: list[float] = field(default_factory=list)  # seconds; failures count as inf
    failures: Counter[str] = field(default_factory=Counter)

    @property
    def max_ms(self) -> float:
        return max(self.latencies, default=0.0) * 1000

    @property
    def p99_ms(self) -> float:
        return percentile(self.latencies, 99) * 1000


@dataclass
class BurstResult:
    connections: int
    requests: int = 0
    seconds: float = 0.0
    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: Counter[str] = field(default_factory=Counter)
    during: HealthPolls = field(default_factory=HealthPolls)
    after: HealthPolls = field(default_factory=HealthPolls)

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())

    def summary(self) -> dict[str, Any]:
        every = [x for values in self.latencies.values() for x in values]
        return {
            "connections": self.connections,
            "requests": self.requests,
            "seconds": round(self.seconds, 2),
            "requests_per_s": round(self.requests / self.seconds, 1) if self.seconds else 0.0,
            "errors": self.error_count,
            "error_kinds": dict(self.errors.most_common(8)),
            "request_p50_ms": round(percentile(every, 50) * 1000, 1),
            "request_p99_ms": round(percentile(every, 99) * 1000, 1),
            "request_max_ms": round(max(every, default=0.0) * 1000, 1),
            "by_call_p99_ms": {
                k: round(percentile(v, 99) * 1000, 1) for k, v in self.latencies.items()
            },
            "healthz_polls_during": len(self.during.latencies),
            "healthz_during_max_ms": round(self.during.max_ms, 1),
            "healthz_during_p99_ms": round(self.during.p99_ms, 1),
            "healthz_polls_after": len(self.after.latencies),
            "healthz_after_max_ms": round(self.after.max_ms, 1),
            "healthz_failures": dict(self.during.failures + self.after.failures),
        }


async def _poll_healthz(
    host: str, port: int, polls: HealthPolls, stop: asyncio.Event, every: float
) -> None:
    """GET /healthz on a fresh connection every `every` seconds until `stop` is set."""
    while not stop.is_set():
        t0 = time.perf_counter()
        try:
            status = await get_once(host, port, "/healthz", timeout=5.0)
            if status != 200:
                polls.failures[f"/healthz {status}"] += 1
            polls.latencies.append(time.perf_counter() - t0)
        except (OSError, TimeoutError, asyncio.IncompleteReadError, ValueError) as exc:
            polls.failures[f"/healthz {type(exc).__name__}"] += 1
            polls.latencies.append(float("inf"))
        with suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), max(0.0, every - (time.perf_counter() - t0)))


async def burst(
    host: str,
    port: int,
    calls: list[Call],
    *,
    connections: int = 200,
    rounds: int = 5,
    request_timeout: float = 20.0,
    deadline: float = 40.0,
    poll_every: float = 0.1,
    after: float = 2.0,
) -> BurstResult:
    """Open `connections` connections, then have every one send `rounds` requests (cycling
    through `calls`) back to back, all starting at the same moment; /healthz is polled every
    `poll_every` s during the burst and for `after` s after it. A request fails when it is not
    a 200, the connection breaks, or it takes longer than `request_timeout`; requests not done
    `deadline` s after the start are failures too."""
    result = BurstResult(connections=connections)
    result.latencies = {c.label: [] for c in calls}
    conns = [Http(host, port) for _ in range(connections)]
    await asyncio.gather(*(c.connect() for c in conns))
    go = asyncio.Event()

    async def client(i: int, conn: Http) -> None:
        await go.wait()
        for r in range(rounds):
            call = calls[(i + r) % len(calls)]
            t0 = time.perf_counter()
            try:
                status, _ = await asyncio.wait_for(
                    conn.request("GET", call.path, call.headers), request_timeout
                )
            except (OSError, TimeoutError, asyncio.IncompleteReadError, ValueError) as exc:
                result.errors[f"{call.label}: {type(exc).__name__}"] += 1
                await conn.close()  # a fresh connection for the next request
                continue
            result.requests += 1
            result.latencies[call.label].append(time.perf_counter() - t0)
            if status != 200:
                result.errors[f"{call.label}: HTTP {status}"] += 1

    stop = asyncio.Event()
    poller = asyncio.create_task(_poll_healthz(host, port, result.during, stop, poll_every))
    tasks = [asyncio.create_task(client(i, c)) for i, c in enumerate(conns)]
    await asyncio.sleep(0.3)  # a few polls before the burst, then everyone at once
    t0 = time.perf_counter()
    go.set()
    _, unfinished = await asyncio.wait(tasks, timeout=deadline)
    result.seconds = time.perf_counter() - t0
    for task in unfinished:
        task.cancel()
    if unfinished:
        await asyncio.gather(*unfinished, return_exceptions=True)
        missing = connections * rounds - result.requests - result.error_count
        result.errors[f"not sent or not answered within {deadline:.0f} s"] += missing
    stop.set()
    await poller
    stop_after = asyncio.Event()
    poller = asyncio.create_task(_poll_healthz(host, port, result.after, stop_after, poll_every))
    await asyncio.sleep(after)
    stop_after.set()
    await poller
    await asyncio.gather(*(c.close() for c in conns))
    return result
