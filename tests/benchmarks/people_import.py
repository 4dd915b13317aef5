"""A 10,000-row people import while the site is in use (PRODUCT.md §6 "Imports"), two ways:

- `job`: as an HR officer does it: upload the file on /hr/import (the preview validates every
  row in the request), confirm, and the background job (`cakap worker`, which the benchmark
  runs beside the server) writes the rows in chunks;
- `cli`: `cakap people import FILE`, as an operator does it.

The import is done when the job says it has finished (`job`) or the command has returned and
every row's account is in the database (`cli`); this module polls the database.
Meanwhile two probes in a closed loop ask for the login page (anonymous) and a lesson page
(logged in) every 50 ms each; their latencies during the import are compared with the same
probes during `baseline` seconds before it."""

from __future__ import annotations

import asyncio
import re
import sys
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select

from app.config import ROOT
from app.core.db import Database
from app.models import Job, User
from tests.benchmarks.harness import CSRF, Http, Learner, percentile


def people_csv(path: Path, rows: int, domain: str, first: date) -> None:
    """`rows` valid ASN born on consecutive days from `first` (unique NIPs), in 25 units,
    with e-mail addresses at `domain`."""
    lines = ["nip;nama;email;jenis_asn;golongan;jenis_jabatan;jabatan;kode_unit;nama_unit"]
    for i in range(rows):
        born = first + timedelta(days=i)
        appointed, month = born.year + 22, i % 12 + 1
        nip = f"{born:%Y%m%d}{appointed}{month:02d}{1 + i % 2}{1 + i % 999:03d}"
        unit = i % 25
        lines.append(
            f"{nip};Pegawai Uji Impor {i + 1};pegawai{i}@{domain};PNS;III/a;pelaksana;"
            f"Pengolah Data;UJI.UNIT{unit:02d};Unit Uji {unit}"
        )
    path.write_text("\n".join(lines) + "\n")


def _imported(database: Database, domain: str) -> int:
    with database.unit_of_work(write=False) as session:
        query = select(func.count()).select_from(User).where(User.email.like(f"%@{domain}"))
        return session.scalar(query) or 0


async def _probe(
    port: int,
    label: str,
    path: str,
    headers: dict[str, str],
    samples: list[tuple[float, str, float]],
    errors: Counter[str],
    stop: asyncio.Event,
) -> None:
    http = Http("127.0.0.1", port)
    while not stop.is_set():
        t0 = time.perf_counter()
        try:
            status, _ = await asyncio.wait_for(http.request("GET", path, headers), 30)
            if status != 200:
                errors[f"{label}: HTTP {status}"] += 1
        except (OSError, TimeoutError, asyncio.IncompleteReadError, ValueError) as exc:
            errors[f"{label}: {type(exc).__name__}"] += 1
            await http.close()
        samples.append((t0, label, time.perf_counter() - t0))
        await asyncio.sleep(0.05)
    await http.close()


async def _cli(env: dict[str, str], csv: Path, log: Path) -> dict[str, Any]:
    t0 = time.perf_counter()
    with log.open("wb") as out:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "app", "people", "import", str(csv),
            env=env, cwd=ROOT, stdout=out, stderr=asyncio.subprocess.STDOUT,
        )  # fmt: skip
        code = await process.wait()
    output = log.read_text(errors="replace")
    return {
        "exit_code": code,
        "command_seconds": round(time.perf_counter() - t0, 1),
        "outcome": next((ln for ln in output.splitlines() if " baris: " in ln), output[-300:]),
    }


async def _job(base: str, hr: tuple[str, str], csv: Path) -> dict[str, Any]:
    """Log in as HR, upload on /hr/import (preview), confirm: the job is queued."""
    async with httpx.AsyncClient(base_url=base, timeout=600) as client:

        async def form(page: str, action: str, **kwargs: Any) -> httpx.Response:
            html = (await client.get(page)).text
            match = CSRF.search(html)
            assert match, f"no form on {page}"
            data = {"csrf_token": match.group(1), **kwargs.pop("data", {})}
            return await client.post(action, data=data, **kwargs)

        r = await form("/login", "/login", data={"username": hr[0], "password": hr[1]})
        assert r.status_code == 303, f"HR login: {r.status_code}"
        await form("/privacy", "/privacy")
        t0 = time.perf_counter()
        files = {"file": (csv.name, csv.read_bytes(), "text/csv")}
        preview = await form("/hr/import", "/hr/import", files=files)
        preview_seconds = time.perf_counter() - t0
        assert preview.status_code == 200, f"upload: {preview.status_code} {preview.text[:500]}"
        action = re.search(r'action="(/hr/import/\d+/commit)"', preview.text)
        token = CSRF.search(preview.text)
        assert action and token, "no confirmation form on the preview"
        r = await client.post(action.group(1), data={"csrf_token": token.group(1)})
        assert r.status_code == 303, f"confirm: {r.status_code} {r.text[:300]}"
        return {
            "preview_seconds": round(preview_seconds, 1),
            "confirm_seconds": round(time.perf_counter() - t0 - preview_seconds, 2),
            "job_page": r.headers["location"],
        }


def _job_state(database: Database, job_page: str) -> dict[str, Any]:
    job_id = int(job_page.rstrip("/").rsplit("/", 1)[-1])
    with database.unit_of_work(write=False) as session:
        job = session.get(Job, job_id)
        assert job is not None
        return {"status": job.status, "done": job.done, "total": job.total, "message": job.message}


async def run(
    via: str,
    env: dict[str, str],
    database_url: str,
    base: str,
    learner: Learner,
    workdir: Path,
    *,
    hr: tuple[str, str],
    rows: int = 10_000,
    baseline: float = 10.0,
    limit: float = 900.0,
) -> dict[str, Any]:
    """Import `rows` people `via` "job" or "cli" while probing the site; the figures."""
    domain = f"impor-{via}.test"
    csv = workdir / f"people-{via}-{rows}.csv"
    people_csv(csv, rows, domain, date(1968, 1, 1) if via == "job" else date(1940, 1, 1))
    port = int(base.rsplit(":", 1)[1])
    samples: list[tuple[float, str, float]] = []
    errors: Counter[str] = Counter()
    stop = asyncio.Event()
    page = {"Cookie": learner.cookie, "Accept-Encoding": "gzip"}
    probes = [
        asyncio.create_task(_probe(port, "/login", "/login", {}, samples, errors, stop)),
        asyncio.create_task(_probe(port, "lesson", learner.lesson, page, samples, errors, stop)),
    ]
    database = Database(database_url, pool_size=1)
    try:
        await asyncio.sleep(baseline)
        t0 = time.perf_counter()
        if via == "cli":
            how = await _cli(env, csv, workdir / f"import-{via}.log")
        else:
            how = await _job(base, hr, csv)
        while True:  # every account exists, and the job (if any) says it has finished
            done = await asyncio.to_thread(_imported, database, domain)
            if via == "job":
                how["job"] = await asyncio.to_thread(_job_state, database, how["job_page"])
                finished = how["job"]["status"] in ("done", "failed")
            else:
                finished = done >= rows
            if finished or time.perf_counter() - t0 > limit:
                break
            await asyncio.sleep(0.5)
        wall = time.perf_counter() - t0
    finally:
        stop.set()
        await asyncio.gather(*probes)
        database.dispose()
    t1 = t0 + wall

    def figures(label: str, start: float, end: float) -> dict[str, float]:
        values = [s for t, name, s in samples if name == label and start <= t < end]
        return {
            "n": len(values),
            "p50_ms": round(percentile(values, 50) * 1000, 1),
            "p95_ms": round(percentile(values, 95) * 1000, 1),
            "max_ms": round(max(values, default=0.0) * 1000, 1),
        }

    return {
        "via": via,
        "rows": rows,
        "accounts_in_database": done,
        "wall_seconds": round(wall, 1),
        **how,
        "errors": sum(errors.values()),
        "error_kinds": dict(errors.most_common(6)),
        "login_before": figures("/login", t0 - baseline, t0),
        "login_during": figures("/login", t0, t1),
        "lesson_before": figures("lesson", t0 - baseline, t0),
        "lesson_during": figures("lesson", t0, t1),
    }
