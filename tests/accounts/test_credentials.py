"""Issue 9, items 7, 8, 12, 13: first-login codes, token lifetimes, password rules, sessions."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts import passwords
from app.accounts import service as accounts
from app.config import get_settings
from app.core import clock
from app.core.errors import Invalid
from app.main import create_app
from app.models import ApiToken, UserSession
from tests.conftest import csrf_from, form_token, login
from tests.factories import PASSWORD, World


def _token(client: TestClient, username: str, password: str) -> Any:
    return client.post("/api/v1/auth/token", json={"username": username, "password": password})


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


# --- item 7: first-login steps on the API, single-use and expiring codes -----------------


def test_api_refuses_a_caller_who_must_change_a_temporary_password(
    client: TestClient, session: Session, world: World
) -> None:
    code = accounts.reset_password(session, user=world.learner, actor=world.admin)
    session.commit()
    answer = _token(client, world.learner.nip or "", code)
    assert answer.status_code == 200
    headers = _bearer(answer.json()["access_token"])
    refused = client.get("/api/v1/courses", headers=headers)
    assert refused.status_code == 403
    assert refused.json()["detail"] == "password_change_required"
    assert "kata sandi sementara" in refused.json()["message"]
    assert client.post("/api/v1/me/consent", headers=headers).status_code == 403
    assert client.get("/api/v1/me", headers=headers).status_code == 200


def test_api_asks_for_the_privacy_consent_then_takes_it(
    client: TestClient, session: Session, world: World
) -> None:
    world.learner.privacy_accepted_at = None
    session.commit()
    headers = _bearer(_token(client, world.learner.nip or "", PASSWORD).json()["access_token"])
    refused = client.get("/api/v1/me/progress", headers=headers)
    assert refused.status_code == 403
    assert refused.json()["detail"] == "consent_required"
    assert "privasi" in refused.json()["message"]
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    assert client.post("/api/v1/me/consent", headers=headers).status_code == 204
    assert client.post("/api/v1/me/consent", headers=headers).status_code == 204  # idempotent
    assert client.get("/api/v1/me/progress", headers=headers).status_code == 200
    session.refresh(world.learner)
    assert world.learner.privacy_accepted_at is not None


def test_first_login_code_works_once(client: TestClient, session: Session, world: World) -> None:
    code = accounts.reset_password(session, user=world.learner, actor=world.admin)
    session.commit()
    assert _token(client, world.learner.nip or "", code).status_code == 200
    # Whoever used it first (HR who saw it on a report, say), the owner's code is spent.
    assert _token(client, world.learner.nip or "", code).status_code == 401
    assert login(client, world.learner.nip or "", code).status_code == 422


def test_first_login_code_expires_and_says_whom_to_ask(
    client: TestClient, session: Session, world: World
) -> None:
    code = accounts.reset_password(session, user=world.learner, actor=world.admin)
    expires = world.learner.temporary_password_expires_at
    assert expires is not None
    assert expires - clock.now() == pytest.approx(timedelta(days=7), abs=timedelta(minutes=1))
    world.learner.temporary_password_expires_at = clock.now() - timedelta(seconds=1)
    session.commit()
    refused = _token(client, world.learner.nip or "", code)
    assert refused.status_code == 401
    assert "kedaluwarsa" in refused.json()["detail"] and "BKPSDM" in refused.json()["detail"]


def test_spent_code_session_sets_its_own_password_without_the_code(
    client: TestClient, session: Session, world: World
) -> None:
    code = accounts.reset_password(session, user=world.learner, actor=world.admin)
    session.commit()
    assert login(client, world.learner.nip or "", code).status_code == 303
    page = client.get("/account/password")
    assert 'name="current"' not in page.text
    new = "sepeda biru menanjak ke garut"
    response = client.post(
        "/account/password",
        data={"csrf_token": csrf_from(page.text), "new": new, "confirm": new},
        follow_redirects=False,
    )
    assert response.status_code == 303
    client.cookies.clear()
    assert login(client, world.learner.nip or "", new).status_code == 303


# --- item 8: bounded API tokens that die with the credentials ----------------------------


def test_personal_token_has_an_end(client: TestClient, session: Session, world: World) -> None:
    token = accounts.create_personal_token(session, user=world.hr, name="Skrip laporan")
    session.commit()
    row = session.scalars(select(ApiToken).where(ApiToken.kind == "personal")).one()
    assert row.expires_at is not None
    assert row.expires_at - clock.now() == pytest.approx(timedelta(days=30), abs=timedelta(hours=1))
    assert client.get("/api/v1/me", headers=_bearer(token)).status_code == 200
    row.expires_at = clock.now() - timedelta(seconds=1)
    session.commit()
    assert client.get("/api/v1/me", headers=_bearer(token)).status_code == 401


@pytest.mark.parametrize("change", ["password", "reset", "roles", "deactivate"])
def test_every_token_dies_with_a_credentials_change(
    client: TestClient, session: Session, world: World, change: str
) -> None:
    hr = world.hr
    personal = accounts.create_personal_token(session, user=hr, name="Skrip")
    session.commit()
    access = _token(client, hr.nip or "", PASSWORD).json()["access_token"]
    for token in (personal, access):
        assert client.get("/api/v1/me", headers=_bearer(token)).status_code == 200
    if change == "password":
        new = "jembatan tua di sungai citanduy"
        check = passwords.check_change(session, user=hr, current=PASSWORD, new=new, confirm=new)
        passwords.apply_change(session, user=hr, check=check)
    elif change == "reset":
        accounts.reset_password(session, user=hr, actor=world.admin)
    elif change == "roles":
        accounts.set_roles(session, user=hr, roles=["learner"], actor=world.admin)
    else:
        accounts.set_active(session, user=hr, active=False, actor=world.admin)
    session.commit()
    for token in (personal, access):
        assert client.get("/api/v1/me", headers=_bearer(token)).status_code == 401
    assert session.scalars(select(ApiToken).where(ApiToken.user_id == hr.id)).first() is None


# --- item 12: NIST password rules ----------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("Password123", "minimal 12 karakter"),
        ("Password123!", "terlalu umum"),
        ("qwertyuiop123", "terlalu umum"),
        ("Rina Marlina 2026 hebat", "NIP, nama, atau email"),
    ],
)
def test_weak_passwords_are_refused_with_a_reason(
    session: Session, world: World, password: str, reason: str
) -> None:
    check = passwords.check_change(
        session, user=world.learner, current=PASSWORD, new=password, confirm=password
    )
    assert check.error is not None and reason in check.error
    with pytest.raises(Invalid):
        passwords.apply_change(session, user=world.learner, check=check)


@pytest.mark.parametrize("phrase", ["kopi pahit di warung pojok pasar", "kopipahitdiwarungpojok"])
def test_a_long_passphrase_is_accepted(
    client: TestClient, session: Session, world: World, phrase: str
) -> None:
    login(client, world.learner.nip or "")
    token = form_token(client, "/account/password")
    response = client.post(
        "/account/password",
        data={"csrf_token": token, "current": PASSWORD, "new": phrase, "confirm": phrase},
        follow_redirects=False,
    )
    assert response.status_code == 303
    client.cookies.clear()
    assert login(client, world.learner.nip or "", phrase).status_code == 303


# --- item 13: no-store, secret key, __Host- cookies, idle timeout ---------------------------


def test_logged_in_pages_and_api_answers_are_never_stored(client: TestClient, world: World) -> None:
    answer = _token(client, world.hr.nip or "", PASSWORD)
    assert answer.headers["cache-control"] == "no-store"
    me = client.get("/api/v1/me", headers=_bearer(answer.json()["access_token"]))
    assert me.headers["cache-control"] == "no-store"
    login(client, world.hr.nip or "")
    for path in ("/", "/account"):
        assert client.get(path).headers["cache-control"] == "no-store", path
    token = form_token(client, "/account")
    new = client.post("/account/tokens", data={"csrf_token": token, "name": "Skrip"})
    assert new.status_code == 200 and new.headers["cache-control"] == "no-store"


def test_default_secret_key_is_refused_under_https(monkeypatch: pytest.MonkeyPatch) -> None:
    from app.config import DEFAULT_SECRET_KEY, Settings

    settings = Settings(base_url="https://cakap.example.go.id", secret_key=DEFAULT_SECRET_KEY)
    with pytest.raises(RuntimeError, match="CAKAP_SECRET_KEY"):
        create_app(settings)
    assert Settings(base_url="http://127.0.0.1:8000", secret_key=DEFAULT_SECRET_KEY)
    assert Settings(base_url="https://x.go.id", secret_key="k" * 40).startup_problem() is None


@pytest.fixture
def https_client(database: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    monkeypatch.setenv("CAKAP_BASE_URL", "https://testserver")
    get_settings.cache_clear()
    try:
        app = create_app(get_settings(), database=database)
        with TestClient(app, base_url="https://testserver") as client:
            yield client
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()


def test_cookies_carry_the_host_prefix_under_https(https_client: TestClient, world: World) -> None:
    response = login(https_client, world.learner.nip or "")
    assert response.status_code == 303
    cookies = response.headers.get_list("set-cookie")
    session_cookie = next(c for c in cookies if c.startswith("__Host-cakap_session="))
    assert "Secure" in session_cookie and "Path=/" in session_cookie
    assert "Domain" not in session_cookie
    assert https_client.get("/", follow_redirects=False).status_code == 200


def test_idle_session_ends(client: TestClient, session: Session, world: World) -> None:
    login(client, world.learner.nip or "")
    assert client.get("/", follow_redirects=False).status_code == 200
    row = session.scalars(select(UserSession).where(UserSession.user_id == world.learner.id)).one()
    row.last_seen_at = clock.now() - timedelta(minutes=61)
    session.commit()
    response = client.get("/", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


def test_activity_moves_the_idle_clock_at_most_every_few_minutes(
    client: TestClient, session: Session, world: World, queries: Any
) -> None:
    login(client, world.learner.nip or "")
    row = session.scalars(select(UserSession).where(UserSession.user_id == world.learner.id)).one()
    fresh = row.last_seen_at
    assert fresh is not None
    queries.statements.clear()
    assert client.get("/").status_code == 200
    assert not [s for s in queries.statements if s.lstrip().upper().startswith("UPDATE")]

    row.last_seen_at = clock.now() - timedelta(minutes=50)
    session.commit()
    assert client.get("/").status_code == 200  # a read page: the touch runs after it
    session.refresh(row)
    assert row.last_seen_at is not None and row.last_seen_at > clock.now() - timedelta(minutes=1)
    # Fifty minutes idle, then seen: the session lives on past the original hour.
    row.last_seen_at = clock.now() - timedelta(minutes=30)
    session.commit()
    assert client.get("/", follow_redirects=False).status_code == 200


# --- a password change: slow work outside the write transaction, guesses throttled ---------


def test_a_password_change_hashes_before_the_write_transaction(
    client: TestClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.core import db as core_db
    from app.core import security

    writing_while_hashing: list[bool] = []
    real_hash = security.hash_password

    def watched(password: str) -> str:
        tx = core_db._current.get()
        writing_while_hashing.append(tx is not None and tx.writing)
        return real_hash(password)

    monkeypatch.setattr(security, "hash_password", watched)
    login(client, world.learner.nip or "")
    token = form_token(client, "/account/password")
    phrase = "kopi pahit di warung pojok pasar"
    response = client.post(
        "/account/password",
        data={"csrf_token": token, "current": PASSWORD, "new": phrase, "confirm": phrase},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert writing_while_hashing == [False]
    client.cookies.clear()
    assert login(client, world.learner.nip or "", phrase).status_code == 303


def test_guessing_the_current_password_from_a_session_is_throttled(
    client: TestClient, world: World
) -> None:
    login(client, world.learner.nip or "")
    phrase = "kopi pahit di warung pojok pasar"

    def attempt(current: str) -> Any:
        token = form_token(client, "/account/password")
        return client.post(
            "/account/password",
            data={"csrf_token": token, "current": current, "new": phrase, "confirm": phrase},
            follow_redirects=False,
        )

    for n in range(5):
        answer = attempt(f"tebakan-salah-{n}")
        assert answer.status_code == 422 and "Kata sandi saat ini salah" in answer.text
    refused = attempt(PASSWORD)  # even the right one, until the window passes
    assert refused.status_code == 422 and "Terlalu banyak" in refused.text
