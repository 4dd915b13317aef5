"""Exam spike: N learners start the same post-test at the same moment and save their answers.

Run by tests/benchmarks/run.py against a live server; learners and their bearer tokens are
made beforehand with `prepare()`. Reports errors, answers lost, and latency percentiles."""

from __future__ import annotations

import asyncio
import statistics
import time
from typing import Any

import httpx
from sqlalchemy.orm import Session

from app.accounts import service as accounts
from app.catalog import service as catalog
from app.core import clock, security
from app.learning import service as learning
from app.models import Instansi, Role, User, UserRole

SLUG = "smart-governance"


def prepare(session: Session, count: int) -> tuple[list[str], int]:
    """Create `count` enrolled learners; return their bearer tokens and the post-test id."""
    instansi = session.query(Instansi).first()
    assert instansi is not None
    version = catalog.published_course(session, slug=SLUG)
    password = security.hash_password("Spike-Peserta-2026")
    tokens = []
    for i in range(count):
        user = User(
            email=f"spike{i}@cakap.test",
            name=f"Peserta Uji Beban {i + 1}",
            instansi_id=instansi.id,
            password_hash=password,
            is_active=True,
            privacy_accepted_at=clock.now(),
        )
        user.roles.append(UserRole(role=Role.learner))
        session.add(user)
        session.flush()
        learning.enrol(session, user=user, version=version)
        tokens.append(accounts.issue_access_token(session, user=user)[0])
    quiz_id = next(q.id for q in version.quizzes if q.kind == "posttest")
    return tokens, quiz_id


def _pct(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] * 1000


async def _learner(
    client: httpx.AsyncClient, token: str, quiz_id: int, stats: dict[str, Any]
) -> None:
    try:
        await _sitting(client, token, quiz_id, stats)
    except httpx.HTTPError as exc:
        stats["errors"].append(f"transport {type(exc).__name__}")


async def _sitting(
    client: httpx.AsyncClient, token: str, quiz_id: int, stats: dict[str, Any]
) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    t0 = time.perf_counter()
    r = await client.post(f"/api/v1/quizzes/{quiz_id}/attempts", headers=headers)
    stats["start"].append(time.perf_counter() - t0)
    if r.status_code != 200:
        stats["errors"].append(f"start {r.status_code}")
        return
    attempt = r.json()
    acknowledged = {}
    for q in attempt["questions"]:
        response: Any
        if q["type"] == "single":
            response = q["choices"][0]["id"]
        elif q["type"] == "multiple":
            response = [q["choices"][0]["id"]]
        elif q["type"] == "truefalse":
            response = True
        else:
            response = "jawaban"
        t0 = time.perf_counter()
        r = await client.put(
            f"/api/v1/attempts/{attempt['id']}/answers/{q['id']}",
            headers=headers,
            json={"response": response},
        )
        stats["save"].append(time.perf_counter() - t0)
        if r.status_code == 200:
            acknowledged[q["id"]] = response
        else:
            stats["errors"].append(f"save {r.status_code}")
    r = await client.post(f"/api/v1/quizzes/{quiz_id}/attempts", headers=headers)
    if r.status_code != 200:
        stats["errors"].append(f"resume {r.status_code}")
        return
    kept = r.json()["answers"]
    stats["lost"] += sum(1 for k, v in acknowledged.items() if kept.get(k) != v)
    stats["attempt_ids"].append(attempt["id"])


async def spike(base: str, tokens: list[str], quiz_id: int) -> dict[str, Any]:
    stats: dict[str, Any] = {"start": [], "save": [], "errors": [], "lost": 0, "attempt_ids": []}
    limits = httpx.Limits(max_connections=len(tokens), max_keepalive_connections=len(tokens))
    async with httpx.AsyncClient(base_url=base, timeout=120, limits=limits) as client:
        t0 = time.perf_counter()
        await asyncio.gather(*(_learner(client, t, quiz_id, stats) for t in tokens))
        elapsed = time.perf_counter() - t0
    all_requests = stats["start"] + stats["save"]
    return {
        "learners": len(tokens),
        "requests": len(all_requests),
        "seconds": round(elapsed, 1),
        "errors": len(stats["errors"]),
        "error_kinds": sorted(set(stats["errors"]))[:5],
        "answers_lost": stats["lost"],
        "duplicate_attempts": len(stats["attempt_ids"]) - len(set(stats["attempt_ids"])),
        "start_p50_ms": round(_pct(stats["start"], 50), 1),
        "start_p95_ms": round(_pct(stats["start"], 95), 1),
        "start_p99_ms": round(_pct(stats["start"], 99), 1),
        "save_p50_ms": round(_pct(stats["save"], 50), 1),
        "save_p95_ms": round(_pct(stats["save"], 95), 1),
        "save_p99_ms": round(_pct(stats["save"], 99), 1),
        "mean_ms": round(statistics.mean(all_requests) * 1000, 1) if all_requests else 0.0,
    }
