"""UU PDP: a person downloads everything Cakap holds about her, and only about her."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Answer, AuditEvent, Certificate
from tests.certificates.test_certificates import complete
from tests.conftest import form_token, login
from tests.factories import PASSWORD, World

pytestmark = pytest.mark.usefixtures("courses_imported")


def bearer(client: TestClient, username: str) -> dict[str, str]:
    token = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
    return {"Authorization": f"Bearer {token.json()['access_token']}"}


def test_api_returns_her_whole_record_and_audits_it(
    client: TestClient, session: Session, world: World
) -> None:
    complete(session, world.learner)
    complete(session, world.learner2, slug="literasi-digital")
    h = bearer(client, world.learner.nip or "")
    r = client.get("/api/v1/me/data", headers=h)
    assert r.status_code == 200
    data = r.json()
    assert data["format"] == "cakap.personal-data/1"
    assert data["profile"]["nip"] == world.learner.nip
    assert data["profile"]["email"] == "rina@contoh.test"
    [enrolment] = data["enrolments"]
    assert enrolment["course"] == "SGOV" and enrolment["status"] == "completed"
    assert enrolment["lessons_completed"] and enrolment["attempts"]
    attempt = enrolment["attempts"][0]
    saved = session.scalars(select(Answer).where(Answer.attempt_id.is_not(None))).all()
    mine = {a.question_key for a in saved}
    assert {a["question"] for a in attempt["answers"]} <= mine
    assert enrolment["evaluations_submitted"]
    [cert] = data["certificates"]
    own = session.scalars(select(Certificate).where(Certificate.user_id == world.learner.id)).one()
    assert cert["number"] == own.number
    assert sum(j["jp"] for j in data["jp_ledger"]) > 0
    # Nothing of anyone else, nothing secret.
    text = r.text
    assert (world.learner2.nip or "x") not in text and world.learner2.name not in text
    for secret in ("password", "token_hash", "correct", "explanation", "results"):
        assert secret not in text
    session.expire_all()
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "personal_data.export")
    ).one()
    assert event.actor_id == world.learner.id


def test_page_download_is_a_json_file_and_needs_csrf(
    client: TestClient, session: Session, world: World
) -> None:
    login(client, world.learner.nip or "")
    page = client.get("/account/data")
    assert page.status_code == 200 and "Unduh data saya" in page.text
    assert client.post("/account/data", data={}).status_code == 403
    r = client.post("/account/data", data={"csrf_token": form_token(client, "/account/data")})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/json")
    assert "attachment" in r.headers["content-disposition"]
    assert r.headers["cache-control"] == "no-store"
    assert json.loads(r.content)["profile"]["name"] == world.learner.name


def test_anonymous_callers_get_nothing(client: TestClient) -> None:
    assert client.get("/api/v1/me/data").status_code == 401
    assert client.get("/account/data", follow_redirects=False).status_code == 303
