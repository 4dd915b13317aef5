"""The exam of PRODUCT.md §6, against a live server, through the API with bearer tokens.

- `realistic`: N learners (1,000 on PostgreSQL, 300 on SQLite), already logged in, each start the
  same post-test at a random moment within the first `window` seconds, then save one answer
  every `think` seconds until every question is answered, then submit.
- `spike` (the burst form): every learner starts at the same moment and saves all answers back
  to back, then submits.

Learners and their tokens are made beforehand with `prepare()`. Every acknowledged save (a 200
with the response echoed) is remembered; `verify()` then reads the database and counts the
acknowledged answers missing or different there ("lost"), and the learners with more than one
attempt. One connection pool (`harness.Pool`) serves every learner: who is calling is only the
Authorization header."""

from __future__ import annotations

import asyncio
import json
import random
import time
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts import service as accounts
from app.core import clock, security
from app.core.db import Database
from app.courses import service as courses
from app.learning import service as learning
from app.models import Answer, Attempt, Instansi, Role, User, UserRole
from tests.benchmarks.harness import Pool, percentile
from tests.learning.helpers import finish_lessons

SLUG = "smart-governance"


def prepare(session: Session, count: int, prefix: str = "spike") -> tuple[list[str], int]:
    """Create `count` enrolled learners, ready for the post-test; return their bearer tokens and the post-test id."""
    instansi = session.query(Instansi).first()
    assert instansi is not None
    version = courses.published_course(session, slug=SLUG)
    password = security.hash_password("Spike-Peserta-2026")
    tokens = []
    for i in range(count):
        user = User(
            email=f"{prefix}{i}@cakap.test",
            name=f"Peserta Uji Beban {prefix} {i + 1}",
            instansi_id=instansi.id,
            password_hash=password,
            is_active=True,
            privacy_accepted_at=clock.now(),
        )
        user.roles.append(UserRole(role=Role.learner))
        session.add(user)
        session.flush()
        # The post-test opens after the pre-test and every lesson (PRODUCT.md §4).
        finish_lessons(session, learning.enrol(session, user=user, version=version))
        tokens.append(accounts.issue_access_token(session, user=user)[0])
    quiz_id = next(q.id for q in version.quizzes if q.kind == "posttest")
    return tokens, quiz_id


@dataclass
class Stats:
    start: list[float] = field(default_factory=list)
    save: list[float] = field(default_factory=list)
    submit: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    # (attempt id, question key) -> the response the server acknowledged
    acknowledged: dict[tuple[int, str], Any] = field(default_factory=dict)
    attempt_ids: set[int] = field(default_factory=set)
    questions: int = 0  # per attempt


def _response(q: dict[str, Any], rng: random.Random) -> Any:
    if q["type"] == "single":
        return rng.choice(q["choices"])["id"]
    if q["type"] == "multiple":
        picked = {c["id"] for c in rng.sample(q["choices"], k=min(2, len(q["choices"])))}
        return [c["id"] for c in q["choices"] if c["id"] in picked]  # in the order shown
    if q["type"] == "truefalse":
        return rng.choice([True, False])
    return "jawaban singkat"


async def _call(
    pool: Pool,
    stats: Stats,
    what: str,
    samples: list[float],
    method: str,
    path: str,
    token: str,
    payload: Any = None,
) -> Any:
    """One API call as the learner of `token`; its JSON answer, or None (an error counted)."""
    headers = {"Authorization": f"Bearer {token}", "Accept-Encoding": "gzip"}
    body = b""
    if payload is not None:
        headers["Content-Type"] = "application/json"
        body = json.dumps(payload).encode()
    t0 = time.perf_counter()
    try:
        status, data = await pool.request(method, path, headers, body)
    except (OSError, TimeoutError, asyncio.IncompleteReadError, ValueError) as exc:
        samples.append(time.perf_counter() - t0)
        stats.errors.append(f"{what}: {type(exc).__name__}")
        return None
    samples.append(time.perf_counter() - t0)
    if status != 200:
        stats.errors.append(f"{what}: HTTP {status}")
        return None
    return json.loads(data)


async def _sitting(
    pool: Pool,
    token: str,
    quiz_id: int,
    stats: Stats,
    *,
    start_at: float,
    think: float,
    rng: random.Random,
) -> None:
    """One learner: wait until `start_at` s, start (or resume) the post-test, save one answer
    every `think` s (0: back to back), submit."""
    await asyncio.sleep(start_at)
    attempt = await _call(
        pool, stats, "start", stats.start, "POST", f"/api/v1/quizzes/{quiz_id}/attempts", token
    )
    if attempt is None:
        return
    stats.attempt_ids.add(attempt["id"])
    stats.questions = max(stats.questions, len(attempt["questions"]))
    began = time.perf_counter()
    for n, q in enumerate(attempt["questions"], start=1):
        if think:
            await asyncio.sleep(max(0.0, began + n * think - time.perf_counter()))
        response = _response(q, rng)
        saved = await _call(
            pool,
            stats,
            "save",
            stats.save,
            "PUT",
            f"/api/v1/attempts/{attempt['id']}/answers/{q['id']}",
            token,
            {"response": response},
        )
        if saved is not None and saved.get("response") == response:
            stats.acknowledged[(attempt["id"], q["id"])] = response
        elif saved is not None:
            stats.errors.append("save: acknowledged a different response")
    path = f"/api/v1/attempts/{attempt['id']}/submission"
    await _call(pool, stats, "submit", stats.submit, "POST", path, token)


async def _run(
    base: str, tokens: list[str], quiz_id: int, *, window: float, think: float, seed: int
) -> tuple[Stats, float]:
    rng = random.Random(seed)
    stats = Stats()
    host, port = base.removeprefix("http://").rsplit(":", 1)
    pool = Pool(host, int(port), size=len(tokens))
    t0 = time.perf_counter()
    try:
        await asyncio.gather(
            *(
                _sitting(
                    pool,
                    token,
                    quiz_id,
                    stats,
                    start_at=rng.uniform(0, window) if window else 0.0,
                    think=think,
                    rng=rng,
                )
                for token in tokens
            )
        )
        return stats, time.perf_counter() - t0
    finally:
        await pool.close()


def verify(database_url: str, stats: Stats, quiz_id: int) -> dict[str, int]:
    """Read back every acknowledged answer from the database; count the learners of this run
    with more than one attempt at the quiz."""
    database = Database(database_url, pool_size=1)
    try:
        with database.unit_of_work(write=False) as session:
            attempt_ids = {a for a, _ in stats.acknowledged}
            stored: dict[tuple[int, str], Any] = {}
            ids = sorted(attempt_ids)
            for i in range(0, len(ids), 500):
                rows = session.execute(
                    select(Answer.attempt_id, Answer.question_key, Answer.response).where(
                        Answer.attempt_id.in_(ids[i : i + 500])
                    )
                )
                stored.update({(a, k): r for a, k, r in rows})
            lost = sum(1 for key, value in stats.acknowledged.items() if stored.get(key) != value)
            tested = select(Attempt.enrollment_id).where(Attempt.id.in_(stats.attempt_ids))
            per_enrolment = (
                select(Attempt.enrollment_id)
                .where(Attempt.quiz_id == quiz_id, Attempt.enrollment_id.in_(tested))
                .group_by(Attempt.enrollment_id)
                .having(func.count() > 1)
                .subquery()
            )
            duplicates = session.scalar(select(func.count()).select_from(per_enrolment)) or 0
    finally:
        database.dispose()
    return {"answers_lost": lost, "duplicate_attempts": int(duplicates)}


def _summary(stats: Stats, seconds: float, learners: int) -> dict[str, Any]:
    def ms(values: list[float], p: float) -> float:
        return round(percentile(values, p) * 1000, 1)

    kinds: dict[str, int] = {}
    for e in stats.errors:
        kinds[e] = kinds.get(e, 0) + 1
    return {
        "learners": learners,
        "attempts": len(stats.attempt_ids),
        "questions_per_attempt": stats.questions,
        "requests": len(stats.start) + len(stats.save) + len(stats.submit),
        "seconds": round(seconds, 1),
        "errors": len(stats.errors),
        "error_kinds": dict(sorted(kinds.items(), key=lambda kv: -kv[1])[:6]),
        "answers_acknowledged": len(stats.acknowledged),
        "start_p50_ms": ms(stats.start, 50),
        "start_p95_ms": ms(stats.start, 95),
        "start_p99_ms": ms(stats.start, 99),
        "save_p50_ms": ms(stats.save, 50),
        "save_p95_ms": ms(stats.save, 95),
        "save_p99_ms": ms(stats.save, 99),
        "save_max_ms": round(max(stats.save, default=0.0) * 1000, 1),
        "submit_p50_ms": ms(stats.submit, 50),
        "submit_p99_ms": ms(stats.submit, 99),
    }


async def realistic(
    base: str,
    tokens: list[str],
    quiz_id: int,
    database_url: str,
    *,
    window: float = 60.0,
    think: float = 10.0,
    seed: int = 2026,
) -> dict[str, Any]:
    stats, seconds = await _run(base, tokens, quiz_id, window=window, think=think, seed=seed)
    return {**_summary(stats, seconds, len(tokens)), **verify(database_url, stats, quiz_id)}


async def spike(
    base: str, tokens: list[str], quiz_id: int, database_url: str, *, seed: int = 2027
) -> dict[str, Any]:
    stats, seconds = await _run(base, tokens, quiz_id, window=0.0, think=0.0, seed=seed)
    return {**_summary(stats, seconds, len(tokens)), **verify(database_url, stats, quiz_id)}
