"""An answer the server acknowledged survives `kill -9` of the server."""

from __future__ import annotations

import json
import signal
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from app.demo import LEARNER, LEARNER_PASSWORD
from tests.e2e.conftest import free_port, prepare, start_server

pytestmark = pytest.mark.e2e


def call(base: str, method: str, path: str, token: str | None = None, body: Any = None) -> Any:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"{base}{path}", data=data, method=method)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status in (200, 204)
        raw = response.read()
        return json.loads(raw) if raw else None


def test_acknowledged_answer_survives_sigkill(tmp_path: Path) -> None:
    env = prepare(tmp_path)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(env, port, workers=1)
    try:
        token = call(
            base,
            "POST",
            "/api/v1/auth/token",
            body={"username": LEARNER[0], "password": LEARNER_PASSWORD},
        )["access_token"]
        # The demo learner has not yet accepted the privacy notice (PRODUCT.md §5).
        call(base, "POST", "/api/v1/me/consent", token)
        call(base, "POST", "/api/v1/courses/smart-governance/enrollment", token)
        outline = call(base, "GET", "/api/v1/courses/smart-governance", token)
        quiz_id = next(q["id"] for q in outline["quizzes"] if q["kind"] == "pretest")
        attempt = call(base, "POST", f"/api/v1/quizzes/{quiz_id}/attempts", token)
        question = next(q for q in attempt["questions"] if q["type"] == "single")
        choice = question["choices"][-1]["id"]
        saved = call(
            base,
            "PUT",
            f"/api/v1/attempts/{attempt['id']}/answers/{question['id']}",
            token,
            {"response": choice},
        )
        assert saved["response"] == choice  # acknowledged
    finally:
        server.send_signal(signal.SIGKILL)
        server.wait(timeout=10)

    server = start_server(env, port, workers=1)
    try:
        resumed = call(base, "POST", f"/api/v1/quizzes/{quiz_id}/attempts", token)
        assert resumed["id"] == attempt["id"]
        assert resumed["answers"] == {question["id"]: choice}
    finally:
        server.terminate()
        server.wait(timeout=10)
