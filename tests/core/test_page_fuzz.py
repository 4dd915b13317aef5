"""Every route, fed hostile values in every path, query and form parameter, by every kind of
caller, answers something below 500 (issue 9 acceptance: "no 500 from any malformed input").

Schemathesis covers the JSON API from its schema (test_api_fuzz.py); the pages are not in that
schema, so this walks the routers themselves: whatever route is added later is walked too."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.accounts import service as accounts
from app.accounts.deps import session_cookie
from app.config import get_settings
from app.core import security
from app.models import User
from tests.factories import World

HOSTILE = [
    "0",
    "-1",
    str(2**63),
    "²",
    "１２",
    "../../etc/passwd",
    "%00\x00",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "x" * 5000,
    "",
]

WALKED_METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE"}


def _params(route: APIRoute) -> tuple[list[str], list[str], list[tuple[str, bool]]]:
    """Names of the path, query and body (form or file) parameters, dependencies included."""
    path: list[str] = []
    query: list[str] = []
    body: list[tuple[str, bool]] = []
    stack = [route.dependant]
    while stack:
        dependant = stack.pop()
        path += [p.alias for p in dependant.path_params]
        query += [p.alias for p in dependant.query_params]
        for p in dependant.body_params:
            is_file = "UploadFile" in repr(p.field_info.annotation)
            body.append((p.alias, is_file))
        stack.extend(dependant.dependencies)
    return sorted(set(path)), sorted(set(query)), sorted(set(body))


def _routes() -> Iterator[tuple[str, str, APIRoute]]:
    from app.routers import API_PREFIX, ROUTERS

    for router, prefix in ROUTERS:
        for route in router.routes:
            if not isinstance(route, APIRoute):
                continue
            for method in sorted((route.methods or set()) & WALKED_METHODS):
                if prefix == API_PREFIX:
                    continue  # the API is fuzzed from its schema by schemathesis
                yield method, route.path, route


@pytest.fixture
def lenient(app: Any) -> Iterator[TestClient]:
    """A client that sees a 500 as a browser would, instead of the server's exception."""
    with TestClient(app, base_url="http://testserver", raise_server_exceptions=False) as c:
        yield c


def _caller(client: TestClient, session: Session, user: User | None) -> str:
    """A fresh session for `user` (or none), and the CSRF token bound to it: a route that
    ends the session (logout, a password change) leaves the next route still logged in."""
    client.cookies.clear()
    if user is None:
        client.get("/login")  # the anonymous CSRF binding cookie
        binding = next(iter(client.cookies.values()), "")
    else:
        binding = accounts.start_session(session, user=user)
        session.commit()
        client.cookies.set(session_cookie(), binding)
    return security.csrf_token(get_settings().secret_key, binding)


@pytest.mark.usefixtures("courses_imported")
def test_no_page_answers_a_server_error_to_hostile_input(
    lenient: TestClient, session: Session, world: World
) -> None:
    callers = {
        "anonymous": None,
        "learner": world.learner,
        "hr": world.hr,
        "admin": world.admin,
    }
    server_errors: list[str] = []
    walked = 0
    for method, path, route in _routes():
        path_names, query_names, body_fields = _params(route)
        for who, user in callers.items():
            csrf = _caller(lenient, session, user)
            for value in HOSTILE:
                url = path
                for name in path_names:
                    url = url.replace("{" + name + "}", quote(value, safe="") or "x")
                    url = url.replace("{" + name + ":path}", quote(value, safe="") or "x")
                query = {name: value for name in query_names}
                data = {name: value for name, is_file in body_fields if not is_file}
                files = {
                    name: ("berkas.csv", value.encode(), "text/csv")
                    for name, is_file in body_fields
                    if is_file
                }
                if method != "GET":
                    data["csrf_token"] = csrf
                answer = lenient.request(
                    method,
                    url,
                    params=query,
                    data=data if method != "GET" else None,
                    files=files or None,
                    follow_redirects=False,
                )
                walked += 1
                if answer.status_code >= 500:
                    server_errors.append(
                        f"{method} {path} as {who} with {value[:20]!r}: {answer.status_code}"
                    )
    assert walked > 1000, "the walk reaches the routes"
    assert server_errors == []
