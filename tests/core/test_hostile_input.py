"""Malformed input answers a clear 4xx, never 500 (issue 9, items 2 and 4)."""

from __future__ import annotations

import typing
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.asn.nip import InvalidNip, looks_like_nip, validate_nip
from app.core.errors import Invalid
from app.evaluations import service as evaluations
from tests.accounts.test_api_auth import token_for
from tests.conftest import login
from tests.factories import World
from tests.learning.test_evaluations import GOOD, _finish_lessons
from tests.learning.test_external_training import FORM, _submit

HUGE = 2**63


@pytest.fixture
def lenient(app: Any) -> Iterator[TestClient]:
    """A client that sees a 500 as the browser would, instead of the server's exception."""
    with TestClient(app, base_url="http://testserver", raise_server_exceptions=False) as c:
        yield c


def _bound(metadata: list[Any]) -> int | None:
    for item in metadata:
        for constraint in getattr(item, "metadata", [item]):
            if getattr(constraint, "le", None) is not None:
                return int(constraint.le)
            if getattr(constraint, "lt", None) is not None:
                return int(constraint.lt)
    return None


def test_every_integer_in_a_path_query_string_or_form_has_an_upper_bound() -> None:
    from app.routers import ROUTERS

    unbounded = []
    checked = 0
    for route in [r for router, _ in ROUTERS for r in router.routes]:
        if not isinstance(route, APIRoute):
            continue
        params = []
        stack = [route.dependant]
        while stack:
            d = stack.pop()
            params += d.path_params + d.query_params + d.body_params
            stack.extend(d.dependencies)
        for param in params:
            annotation = param.field_info.annotation
            if int not in (annotation, *typing.get_args(annotation)):
                continue
            limit = _bound(param.field_info.metadata)
            checked += 1
            if limit is None or limit >= 2**63:
                unbounded.append(f"{route.path} {param.name}")
    assert checked > 20, "the walk finds the routes' integer parameters"
    assert unbounded == []


HUGE_URLS = [
    ("GET", f"/api/v1/jobs/{HUGE}"),
    ("POST", f"/api/v1/lessons/{HUGE}/completion"),
    ("POST", f"/api/v1/quizzes/{HUGE}/attempts"),
    ("PUT", f"/api/v1/attempts/{HUGE}/answers/q1"),
    ("GET", f"/jobs/{HUGE}"),
    ("GET", f"/admin/users/{HUGE}"),
    ("GET", f"/admin/users?page={HUGE}"),
    ("GET", f"/admin/audit?page={HUGE}"),
    ("GET", f"/admin/certificates?page={HUGE}"),
]


def test_ids_and_page_numbers_beyond_64_bits_are_a_4xx(lenient: TestClient, world: World) -> None:
    login(lenient, world.admin.email or "")
    token = token_for(lenient, world.learner.nip or "")
    answers = {
        url: lenient.request(
            method, url, headers={"Authorization": f"Bearer {token}"}, json={"response": "1"}
        ).status_code
        for method, url in HUGE_URLS
    }
    assert {url: code for url, code in answers.items() if not 400 <= code < 500} == {}


@pytest.mark.usefixtures("courses_imported")
def test_an_undeclared_text_plain_body_is_a_422(
    lenient: TestClient, session: Session, world: World
) -> None:
    from app.assessments import service as assessments

    version, enrollment = _finish_lessons(session, world)
    quiz = next(q for q in version.quizzes if q.kind == "posttest")
    attempt = assessments.start_attempt(session, enrollment=enrollment, quiz=quiz)
    session.commit()
    token = token_for(lenient, world.learner.nip or "")
    for method, url in [
        ("POST", "/api/v1/auth/token"),
        ("POST", "/api/v1/courses/smart-governance/evaluations/pengajar"),
        ("PUT", f"/api/v1/attempts/{attempt.id}/answers/{attempt.paper[0]['key']}"),
    ]:
        response = lenient.request(
            method,
            url,
            content=b"username=a&password=\xff\xfe",
            headers={"Authorization": f"Bearer {token}", "Content-Type": "text/plain"},
        )
        assert response.status_code == 422, (url, response.text)
        assert response.json()["detail"][0]["loc"] == ["body"]


@pytest.mark.parametrize("raw", ["²" * 18, "١٩٨٥٠٣١٢٢٠١٠٠١١٠٠٢", "198503122010011002²"])
def test_unicode_digits_are_not_a_nip(raw: str) -> None:
    assert not looks_like_nip(raw)
    with pytest.raises(InvalidNip, match="hanya boleh berisi angka"):
        validate_nip(raw)


@pytest.mark.usefixtures("courses_imported")
def test_unicode_digits_are_not_an_evaluation_score(session: Session, world: World) -> None:
    version, enrollment = _finish_lessons(session, world)
    with pytest.raises(Invalid, match="1 sampai 5"):
        evaluations.submit(
            session,
            enrollment=enrollment,
            version=version,
            form_id="pengajar",
            answers={**GOOD, "bahasa": "²"},
            comment=None,
        )


def test_unicode_digits_are_not_jp(lenient: TestClient, world: World) -> None:
    login(lenient, world.learner.nip or "")
    for jp in ("²", "١٢", "1" * 5000):
        response = _submit(lenient, FORM | {"jp": jp})
        assert response.status_code == 422, (jp, response.status_code)  # type: ignore[attr-defined]
        assert "JP berupa bilangan bulat" in response.text  # type: ignore[attr-defined]


def _chunked(total: int) -> Iterator[bytes]:
    chunk = b"x" * (256 * 1024)
    for _ in range(total // len(chunk) + 1):
        yield chunk


def test_a_chunked_body_over_the_limit_is_refused_with_413(lenient: TestClient) -> None:
    """No Content-Length: the body is counted as it arrives, before login or CSRF checks read
    the whole of it."""
    from app.config import get_settings

    limit = get_settings().import_max_bytes + 1024 * 1024
    api = lenient.post(
        "/api/v1/auth/token",
        content=_chunked(limit + 1),
        headers={"Content-Type": "application/json"},
    )
    assert "content-length" not in {k.lower() for k in api.request.headers}
    assert api.status_code == 413
    assert "terlalu besar" in api.json()["detail"]
    page = lenient.post(
        "/login",
        content=_chunked(limit + 1),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert page.status_code == 413
    assert "terlalu besar" in page.text
    small = lenient.post(
        "/api/v1/auth/token",
        content=iter([b'{"username": "x", "password": "y"}']),
        headers={"Content-Type": "application/json"},
    )
    assert small.status_code == 401, "a chunked body under the limit is read as usual"
