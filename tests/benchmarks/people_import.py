"""A 10,000-row people import while the site is in use (PRODUCT.md §6 "Imports").

The import runs the way an operator runs it, `cakap people import FILE` (whatever that command
does: in place, or by queueing a background job); it is done when every row's account is in the
database, which this module polls. Meanwhile two probes in a closed loop ask for the login page
(anonymous) and a lesson page (logged in) every 50 ms each; their latencies during the import are
compared with the same probes during `baseline` seconds before it."""

from __future__ import annotations

import asyncio
import sys
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from app.config import ROOT
from app.core.db import Database
from app.models import User
from tests.benchmarks.harness import Http, Learner, percentile

DOMAIN = "impor.test"


def people_csv(path: Path, rows: int) -> None:
    """`rows` valid ASN (unique NIPs: one birth date each) in 25 units."""
    lines = ["nip;nama;email;jenis_asn;golongan;jenis_jabatan;jabatan;kode_unit;nama_unit"]
    first = date(1968, 1, 1)
    for i in range(rows):
        born = first + timedelta(days=i)
        appointed, month = born.year + 22, i % 12 + 1
        nip = f"{born:%Y%m%d}{appointed}{month:02d}{1 + i % 2}{1 + i % 999:03d}"
        unit = i % 25
        lines.append(
            f"{nip};Pegawai Uji Impor {i + 1};pegawai{i}@{DOMAIN};PNS;III/a;pelaksana;"
            f"Pengolah Data;UJI.UNIT{unit:02d};Unit Uji {unit}"
        )
    path.write_text("\n".join(lines) + "\n")


def _imported(database: Database) -> int:
    with database.unit_of_work(write=False) as session:
        return (
            session.scalar(
                select(func.count()).select_from(User).where(User.email.like(f"%@{DOMAIN}"))
            )
            or 0
        )


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


async def run(
    env: dict[str, str],
    database_url: str,
    port: int,
    learner: Learner,
    workdir: Path,
    *,
    rows: int = 10_000,
    baseline: float = 10.0,
    limit: float = 900.0,
) -> dict[str, Any]:
    csv = workdir / f"people-{rows}.csv"
    people_csv(csv, rows)
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
        log = workdir / "import.log"
        t0 = time.perf_counter()
        with log.open("wb") as out:
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "app", "people", "import", str(csv),
                env=env, cwd=ROOT, stdout=out, stderr=asyncio.subprocess.STDOUT,
            )  # fmt: skip
            code = await process.wait()
        command_seconds = time.perf_counter() - t0
        done = await asyncio.to_thread(_imported, database)
        while done < rows and time.perf_counter() - t0 < limit:
            await asyncio.sleep(0.5)
            done = await asyncio.to_thread(_imported, database)
        wall = time.perf_counter() - t0
    finally:
        stop.set()
        await asyncio.gather(*probes)
        database.dispose()
    output = log.read_text(errors="replace")
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
        "rows": rows,
        "accounts_in_database": done,
        "exit_code": code,
        "command_seconds": round(command_seconds, 1),
        "wall_seconds": round(wall, 1),
        "outcome": next((ln for ln in output.splitlines() if " baris: " in ln), output[-300:]),
        "errors": sum(errors.values()),
        "error_kinds": dict(errors.most_common(6)),
        "login_before": figures("/login", t0 - baseline, t0),
        "login_during": figures("/login", t0, t1),
        "lesson_before": figures("lesson", t0 - baseline, t0),
        "lesson_during": figures("lesson", t0, t1),
    }
