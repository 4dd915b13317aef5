"""PRODUCT.md §6 "Bursts": 200 concurrent connections on logged-in pages give no errors, and
/healthz answers within 1 s during and after, on SQLite and PostgreSQL.

The real thing (ARCHITECTURE.md rule 10): `cakap init`, `cakap users create` and `cakap serve`
in subprocesses on a database of their own (a SQLite file; with CAKAP_TEST_DATABASE_URL set, a
fresh PostgreSQL database on that server), one worker on SQLite and two on PostgreSQL, and more
connections than the server has threads (40). The learner logs in through the login form and
gets an API token; then 200 connections, opened beforehand, each send three requests back to
back starting at the same moment: the lesson page, the dashboard and the progress API."""

from __future__ import annotations

import asyncio
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from tests.benchmarks.harness import (
    Server,
    app_env,
    burst,
    free_port,
    fresh_database,
    get_once,
    learner_calls,
    log_in,
    run_cli,
)

EMAIL = "peserta.burst@cakap.test"
PASSWORD = "Burst-Peserta-2026"
CONNECTIONS = 200
ROUNDS = 3


def _postgres_url() -> str | None:
    url = os.environ.get("CAKAP_TEST_DATABASE_URL")
    if url and make_url(url).get_backend_name() == "postgresql":
        return url
    return None


def _run(coro: Any) -> Any:
    """asyncio.run in a thread of its own: the browser tests' sync Playwright keeps an event
    loop running in the main thread for the whole session."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


def test_200_concurrent_logged_in_requests_no_errors_and_healthz_within_1s(
    tmp_path: Path,
) -> None:
    postgres = _postgres_url()
    with fresh_database(tmp_path, postgres, "cakap_burst") as url:
        env = app_env(url, tmp_path / "data")
        run_cli(env, "init")
        learner_account = ["--email", EMAIL, "--password", PASSWORD, "--role", "learner"]
        run_cli(env, "users", "create", "--name", "Peserta Uji Lonjakan", *learner_account)
        port = free_port()
        workers = 2 if postgres else 1
        with Server(env, port, workers, tmp_path / "server.log") as server:
            learner = log_in(server.base, EMAIL, PASSWORD)
            calls = learner_calls(learner)
            result = _run(burst("127.0.0.1", port, calls, connections=CONNECTIONS, rounds=ROUNDS))
            figures = result.summary()
            print(f"burst on {make_url(url).get_backend_name()}, {workers} worker(s): {figures}")

            assert server.alive(), f"the server died during the burst:\n{server.log_tail()}"
            assert result.error_count == 0, f"{result.error_count} failed requests: {figures}"
            assert result.requests == CONNECTIONS * ROUNDS, figures
            assert figures["healthz_polls_during"] >= 3, figures
            assert result.during.max_ms < 1000, f"/healthz slow during the burst: {figures}"
            assert result.after.max_ms < 1000, f"/healthz slow after the burst: {figures}"
            assert not figures["healthz_failures"], figures

            async def afterwards() -> list[int]:
                checks = [get_once("127.0.0.1", port, c.path, 5, c.headers) for c in calls]
                checks.append(get_once("127.0.0.1", port, "/readyz", 5))
                return list(await asyncio.gather(*checks))

            assert _run(afterwards()) == [200] * 4, "the server does not answer after"
