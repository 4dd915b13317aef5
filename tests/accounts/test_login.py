from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts import service as accounts
from app.core import clock, security
from app.core.middleware import SESSION_COOKIE
from app.models import AuditEvent, UserSession
from tests.conftest import csrf_from, form_token, login
from tests.factories import PASSWORD, World, nip


def test_login_with_nip_typed_with_spaces_reaches_the_dashboard(
    client: TestClient, world: World
) -> None:
    typed = f"{world.learner.nip[:8]} {world.learner.nip[8:14]} {world.learner.nip[14]} {world.learner.nip[15:]}"
    response = login(client, typed)
    assert response.status_code == 303
    cookie = response.cookies.get(SESSION_COOKIE)
    assert cookie
    set_cookie = response.headers["set-cookie"].lower()
    assert "httponly" in set_cookie and "samesite=lax" in set_cookie
    page = client.get("/")
    assert page.status_code == 200
    assert "Selamat datang, Rina Marlina, S.E." in page.text


def test_login_with_email_is_case_insensitive(client: TestClient, world: World) -> None:
    assert login(client, "RINA@contoh.test").status_code == 303


def test_wrong_password_re_renders_the_form_with_a_message(
    client: TestClient, world: World
) -> None:
    response = login(client, world.learner.nip or "", "salah-sekali-1")
    assert response.status_code == 422
    assert "kata sandi salah" in response.text
    assert SESSION_COOKIE not in response.cookies


def test_repeated_wrong_passwords_throttle_the_account(client: TestClient, world: World) -> None:
    for _ in range(5):
        assert login(client, world.learner.nip or "", "salah-sekali-1").status_code == 422
    blocked = login(client, world.learner.nip or "", PASSWORD)
    assert blocked.status_code == 429
    assert "Terlalu banyak percobaan" in blocked.text
    assert 0 < int(blocked.headers["retry-after"]) <= 15 * 60
    # another account from the same address is not locked by this account's failures
    assert login(client, world.learner2.nip or "").status_code == 303


def test_throttle_lifts_after_the_lock_window(client: TestClient, world: World) -> None:
    for _ in range(5):
        login(client, world.learner.nip or "", "salah-sekali-1")
    clock.freeze(clock.now() + timedelta(minutes=16))
    try:
        assert login(client, world.learner.nip or "").status_code == 303
    finally:
        clock.freeze(None)


def test_many_failures_from_one_address_do_not_lock_the_address(
    client: TestClient, world: World
) -> None:
    """An office behind one address is not shut out by a few people mistyping."""
    for i in range(20):
        login(client, f"{nip()}", "salah-sekali-1") if i % 2 else login(
            client, f"x{i}@contoh.test", "salah"
        )
    assert login(client, world.learner.nip or "").status_code == 303


def test_after_logout_the_old_session_cookie_no_longer_works(
    client: TestClient, world: World
) -> None:
    response = login(client, world.learner.nip or "")
    old = response.cookies.get(SESSION_COOKIE)
    token = form_token(client, "/")
    assert (
        client.post("/logout", data={"csrf_token": token}, follow_redirects=False).status_code
        == 303
    )
    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, old)
    again = client.get("/", follow_redirects=False)
    assert again.status_code == 303
    assert again.headers["location"].startswith("/login")


def test_deactivation_ends_sessions_at_once(
    client: TestClient, session: Session, world: World
) -> None:
    login(client, world.learner.nip or "")
    assert client.get("/", follow_redirects=False).status_code == 200
    accounts.set_active(session, user=world.learner, active=False, actor=world.admin)
    session.commit()
    assert client.get("/", follow_redirects=False).status_code == 303


def test_role_removal_ends_sessions(client: TestClient, session: Session, world: World) -> None:
    login(client, world.trainer.nip or "")
    assert client.get("/", follow_redirects=False).status_code == 200
    accounts.set_roles(session, user=world.trainer, roles=["learner"], actor=world.admin)
    session.commit()
    assert client.get("/", follow_redirects=False).status_code == 303
    assert (
        session.scalars(select(UserSession).where(UserSession.user_id == world.trainer.id)).first()
        is None
    )


def test_password_change_ends_other_sessions_but_keeps_this_browser(
    app: object, client: TestClient, world: World
) -> None:
    other = TestClient(app)  # type: ignore[arg-type]
    login(other, world.learner.nip or "")
    login(client, world.learner.nip or "")
    token = form_token(client, "/account/password")
    response = client.post(
        "/account/password",
        data={
            "csrf_token": token,
            "current": PASSWORD,
            "new": "Sandi-Baru-2026!",
            "confirm": "Sandi-Baru-2026!",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert client.get("/", follow_redirects=False).status_code == 200
    assert other.get("/", follow_redirects=False).status_code == 303
    client.cookies.clear()
    assert login(client, world.learner.nip or "", "Sandi-Baru-2026!").status_code == 303


def test_weak_new_password_is_refused_with_the_reason(client: TestClient, world: World) -> None:
    login(client, world.learner.nip or "")
    token = form_token(client, "/account/password")
    response = client.post(
        "/account/password",
        data={"csrf_token": token, "current": PASSWORD, "new": "pendek", "confirm": "pendek"},
    )
    assert response.status_code == 422
    assert "minimal 12 karakter" in response.text


def test_imported_account_must_change_password_before_anything_else(
    client: TestClient, session: Session, world: World
) -> None:
    world.learner.must_change_password = True
    session.commit()
    login(client, world.learner.nip or "")
    for path in ("/", "/courses", "/account"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"] == "/account/password"


def test_privacy_notice_is_shown_once_and_the_date_recorded(
    client: TestClient, session: Session, world: World
) -> None:
    world.learner.privacy_accepted_at = None
    session.commit()
    login(client, world.learner.nip or "")
    first = client.get("/", follow_redirects=False)
    assert first.headers["location"] == "/privacy"
    token = form_token(client, "/privacy")
    assert (
        client.post("/privacy", data={"csrf_token": token}, follow_redirects=False).status_code
        == 303
    )
    session.refresh(world.learner)
    assert world.learner.privacy_accepted_at is not None
    assert client.get("/", follow_redirects=False).status_code == 200
    assert session.scalars(select(AuditEvent).where(AuditEvent.action == "privacy.accept")).first()


def test_form_without_csrf_token_is_refused(client: TestClient, world: World) -> None:
    client.get("/login")
    response = client.post("/login", data={"username": world.learner.nip, "password": PASSWORD})
    assert response.status_code == 403
    login(client, world.learner.nip or "")
    assert client.post("/logout", data={"csrf_token": "forged"}).status_code == 403


def test_csrf_token_of_one_browser_does_not_work_in_another(
    app: object, client: TestClient, world: World
) -> None:
    login(client, world.learner.nip or "")
    stolen = form_token(client, "/account/password")
    victim = TestClient(app)  # type: ignore[arg-type]
    login(victim, world.learner2.nip or "")
    response = victim.post("/privacy", data={"csrf_token": stolen})
    assert response.status_code == 403


def test_open_redirect_after_login_is_refused(client: TestClient, world: World) -> None:
    page = client.get("/login?next=//evil.example/")
    response = client.post(
        "/login",
        data={
            "username": world.learner.nip,
            "password": PASSWORD,
            "csrf_token": csrf_from(page.text),
            "next": "//evil.example/",
        },
        follow_redirects=False,
    )
    assert response.headers["location"] == "/"


def test_pages_send_strict_security_headers(client: TestClient) -> None:
    response = client.get("/login")
    csp = response.headers["content-security-policy"]
    assert (
        "default-src 'self'" in csp
        and "script-src 'self'" in csp
        and "frame-ancestors 'none'" in csp
    )
    assert "unsafe-inline" not in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"


def test_expired_session_is_not_accepted(client: TestClient, world: World) -> None:
    login(client, world.learner.nip or "")
    clock.freeze(clock.now() + timedelta(hours=13))
    try:
        assert client.get("/", follow_redirects=False).status_code == 303
    finally:
        clock.freeze(None)


def test_session_principal_is_one_snapshot_of_the_live_session(
    session: Session, world: World
) -> None:
    """The one query behind every logged-in page: all roles, first-login flags, and nothing
    once the session expired or the account was deactivated."""
    accounts.set_roles(session, user=world.trainer, roles=["learner", "trainer"], actor=world.admin)
    token = accounts.start_session(session, user=world.trainer)
    principal = accounts.session_principal(session, token=token)
    assert principal is not None
    assert principal.id == world.trainer.id and principal.name == world.trainer.name
    assert principal.roles == frozenset({"learner", "trainer"})
    assert principal.instansi_id == world.trainer.instansi_id
    assert principal.has_role("trainer") and not principal.has_role("admin")

    world.trainer.roles.clear()
    token = accounts.start_session(session, user=world.trainer)
    roleless = accounts.session_principal(session, token=token)
    assert roleless is not None and roleless.roles == frozenset()

    row = session.scalars(
        select(UserSession).where(UserSession.token_hash == security.hash_token(token))
    ).one()
    row.expires_at = clock.now() - timedelta(seconds=1)
    session.flush()
    assert accounts.session_principal(session, token=token) is None

    token = accounts.start_session(session, user=world.learner)
    assert accounts.session_principal(session, token=token) is not None
    accounts.set_active(session, user=world.learner, active=False, actor=world.admin)
    session.flush()
    assert accounts.session_principal(session, token=token) is None
    assert accounts.session_principal(session, token="no-such-token") is None


def test_logins_and_logouts_are_audited_with_the_address_never_the_password(
    client: TestClient, session: Session, world: World
) -> None:
    wrong = "Tebakan-Salah-987"
    # the peer is not a trusted proxy: its X-Forwarded-For is not believed
    client.headers["X-Forwarded-For"] = "203.0.113.9"
    assert login(client, world.learner.nip or "", wrong).status_code == 422
    assert login(client, world.learner.nip or "").status_code == 303
    client.post("/logout", data={"csrf_token": form_token(client, "/")})
    events = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action.in_(["login", "login.failed", "logout"]))
        .order_by(AuditEvent.id)
    ).all()
    assert [(e.action, e.actor_id, e.object_id) for e in events] == [
        ("login.failed", None, str(world.learner.id)),
        ("login", world.learner.id, str(world.learner.id)),
        ("logout", world.learner.id, str(world.learner.id)),
    ]
    assert {e.address for e in events} == {"testclient"}
    for e in events:
        assert wrong not in repr(e.detail) and PASSWORD not in repr(e.detail)


def test_forwarded_for_is_believed_only_from_a_trusted_proxy() -> None:
    from app.core.client import parse_networks, resolve

    trusted = parse_networks("127.0.0.1, 10.0.0.0/8")
    assert resolve("127.0.0.1", "203.0.113.9, 10.0.0.7", trusted) == "203.0.113.9"
    assert resolve("198.51.100.4", "203.0.113.9", trusted) == "198.51.100.4"
    assert resolve("127.0.0.1", "bukan-alamat", trusted) == "127.0.0.1"
    assert resolve("127.0.0.1", None, parse_networks("")) == "127.0.0.1"
    assert resolve("127.0.0.1", "203.0.113.9", parse_networks("")) == "127.0.0.1"
