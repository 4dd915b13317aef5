"""The transaction owner: a request that fails writes nothing, in every domain that writes.

Each case makes a real request whose service call has already flushed its rows when the
request fails (an exception after the service, or a 4xx answer), then checks that none of
those rows was committed."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.core.errors import Conflict
from app.models import (
    Certificate,
    EvaluationResponse,
    ExternalTraining,
    ImportBatch,
    LessonProgress,
    Unit,
    User,
    UserSession,
)
from tests.conftest import form_token, login
from tests.factories import PASSWORD, World
from tests.learning.helpers import api_take_pretest

pytestmark = pytest.mark.usefixtures("courses_imported")


def count(session: Session, model: Any) -> int:
    session.expire_all()
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def fail_after(monkeypatch: pytest.MonkeyPatch, target: str) -> None:
    """Make `target` (what the route calls once the service has written) raise."""

    def boom(*_a: Any, **_k: Any) -> Any:
        raise RuntimeError("injected failure after the service wrote")

    monkeypatch.setattr(target, boom)


def bearer(client: TestClient, username: str) -> dict[str, str]:
    token = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
    return {"Authorization": f"Bearer {token.json()['access_token']}"}


@pytest.fixture
def crashing_client(app: Any) -> Any:
    with TestClient(app, base_url="http://testserver", raise_server_exceptions=False) as c:
        yield c


def test_failed_login_response_leaves_no_session(
    crashing_client: TestClient, session: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    fail_after(monkeypatch, "app.accounts.routes.redirect")
    assert login(crashing_client, world.learner.nip or "").status_code == 500
    assert count(session, UserSession) == 0


def test_failed_lesson_completion_leaves_no_progress(
    crashing_client: TestClient, session: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = bearer(crashing_client, world.learner.nip or "")
    lesson = api_take_pretest(crashing_client, h, "smart-governance")
    first = lesson["modules"][0]["lessons"][0]["id"]
    fail_after(monkeypatch, "app.completion.api.CompletionOut")
    assert crashing_client.post(f"/api/v1/lessons/{first}/completion", headers=h).status_code == 500
    assert count(session, LessonProgress) == 0


def test_failed_evaluation_leaves_no_response(
    crashing_client: TestClient, session: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.evaluations import service as evaluations

    monkeypatch.setattr(evaluations, "is_open", lambda *a, **k: True)
    h = bearer(crashing_client, world.learner.nip or "")
    crashing_client.post("/api/v1/courses/smart-governance/enrollment", headers=h)
    fail_after(monkeypatch, "app.completion.api.EvaluationOut")
    answers = {q["id"]: 4 for q in evaluations.DEFAULT_FORMS[0]["questions"]}
    r = crashing_client.post(
        "/api/v1/courses/smart-governance/evaluations/pengajar",
        headers=h,
        json={"answers": answers},
    )
    assert r.status_code == 500
    assert count(session, EvaluationResponse) == 0


def test_enrolment_answered_with_a_conflict_is_not_kept(
    client: TestClient, session: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 4xx answer rolls back what the service already wrote."""
    from app.learning import service as learning

    real_enrol = learning.enrol

    def enrol_then_refuse(*args: Any, **kwargs: Any) -> Any:
        real_enrol(*args, **kwargs)
        raise Conflict("refused after writing")

    monkeypatch.setattr(learning, "enrol", enrol_then_refuse)
    h = bearer(client, world.learner.nip or "")
    r = client.post("/api/v1/courses/smart-governance/enrollment", headers=h)
    assert r.status_code == 409
    from app.models import Enrollment

    assert count(session, Enrollment) == 0


def test_rejected_upload_is_not_stored(client: TestClient, session: Session, world: World) -> None:
    """The reported case: a refused people file stayed in the database with its NIPs."""
    login(client, world.hr.nip or "")
    token = form_token(client, "/hr/import")
    r = client.post(
        "/hr/import",
        data={"csrf_token": token, "instansi": "3206"},
        files={"file": ("asn.xlsx", b"PK\x03\x04 not really a spreadsheet", "application/zip")},
    )
    assert r.status_code == 422
    assert count(session, ImportBatch) == 0


def test_failed_external_training_record_keeps_no_file(
    crashing_client: TestClient, session: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    login(crashing_client, world.learner.nip or "")
    token = form_token(crashing_client, "/training/external")
    fail_after(monkeypatch, "app.training.routes.redirect")
    r = crashing_client.post(
        "/training/external",
        data={
            "csrf_token": token,
            "title": "Pelatihan Kearsipan Digital",
            "organiser": "ANRI",
            "start_date": "2026-03-02",
            "end_date": "2026-03-03",
            "jp": "12",
            "certificate_number": "ANRI/2026/0117",
        },
        files={"certificate": ("s.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")},
    )
    assert r.status_code == 500
    assert count(session, ExternalTraining) == 0


@pytest.mark.parametrize(
    ("path", "data", "target", "model"),
    [
        (
            "/admin/units",
            {"instansi": "3206", "code": "KEC.CGL", "name": "Kecamatan Cigalontang"},
            "app.admin.routes.redirect",
            Unit,
        ),
        (
            "/admin/users/new",
            {"name": "Dadan Sudrajat", "nip": "198503122010011002", "instansi": "3206"},
            "app.admin.routes.render_user",
            User,
        ),
    ],
)
def test_failed_admin_action_writes_nothing(
    crashing_client: TestClient,
    session: Session,
    world: World,
    monkeypatch: pytest.MonkeyPatch,
    path: str,
    data: dict[str, str],
    target: str,
    model: Any,
) -> None:
    login(crashing_client, world.admin.email or "")
    token = form_token(crashing_client, path)
    before = count(session, model)
    fail_after(monkeypatch, target)
    assert crashing_client.post(path, data={"csrf_token": token, **data}).status_code == 500
    assert count(session, model) == before


def test_failed_revocation_leaves_the_certificate_valid(
    crashing_client: TestClient, session: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.certificates.test_certificates import complete

    complete(session, world.learner)
    cert = session.scalars(select(Certificate)).one()
    login(crashing_client, world.admin.email or "")
    token = form_token(crashing_client, "/admin/certificates")
    fail_after(monkeypatch, "app.admin.routes.redirect")
    r = crashing_client.post(
        f"/admin/certificates/{cert.id}/revoke",
        data={"csrf_token": token, "reason": "Data jabatan keliru"},
    )
    assert r.status_code == 500
    session.expire_all()
    assert session.get(Certificate, cert.id).status == "valid"  # type: ignore[union-attr]


def test_a_read_route_that_writes_fails_loudly(session: Session, world: World) -> None:
    """ReadSession is a promise: a flush with changes in it raises instead of committing."""
    from app.core.db import READ_ONLY, ReadOnlyViolation

    session.info[READ_ONLY] = True
    world.learner.name = "Nama Lain"
    with pytest.raises(ReadOnlyViolation):
        session.flush()
    session.rollback()
    session.info.pop(READ_ONLY)
