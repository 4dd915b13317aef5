"""Who is calling: the load-and-authorise dependencies for pages and the API."""

from collections.abc import Callable
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Form, Request
from sqlalchemy.orm import Session

from app.accounts import passwords, service
from app.accounts.passwords import PasswordCheck
from app.accounts.principal import Principal
from app.accounts.service import LoginCheck
from app.config import get_settings
from app.core import security
from app.core.db import Database, ReadSession, after_request, end_read
from app.core.errors import Forbidden, RedirectRequired, Unauthenticated
from app.core.middleware import session_cookie_name
from app.core.security import UNSAFE_METHODS
from app.models import User

# Pages a logged-in user may reach before the first-login steps are done.
_FIRST_LOGIN_PATHS = ("/account/password", "/privacy", "/logout")
# API calls open to a caller who has not finished them (PRODUCT.md §5).
_API_ME = "/api/v1/me"
_API_CONSENT = "/api/v1/me/consent"


class FirstLoginRequired(Forbidden):
    """403 with a machine-readable detail (`password_change_required`, `consent_required`);
    the API answers `{"detail": code, "message": …}` (app/main.py)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def session_cookie() -> str:
    """The session cookie's name (`__Host-` prefixed under https)."""
    return session_cookie_name(secure=get_settings().secure_cookies)


def client_address(request: Request) -> str:
    """The client's address (X-Forwarded-For only from CAKAP_TRUSTED_PROXIES; app/core/client)."""
    found = getattr(request.state, "client_address", None)
    if found:
        return str(found)
    return request.client.host if request.client else "unknown"


def check_login(request: Request, db: Session, *, username: str, password: str) -> LoginCheck:
    """Verify a login before the request's write transaction begins (Argon2 is slow).

    A failure is answered with 4xx, so nothing of the request itself commits; the throttle
    must still remember it, so it is counted here in a unit of work of its own."""
    check = service.check_credentials(
        db, username=username, password=password, address=client_address(request)
    )
    end_read(request)
    if not check.ok and not check.throttled:
        database: Database = request.app.state.db
        with database.unit_of_work() as own:
            service.record_failed_login(own, check=check)
    return check


def page_login(
    request: Request,
    db: ReadSession,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
) -> LoginCheck:
    return check_login(request, db, username=username, password=password)


PageLogin = Annotated[LoginCheck, Depends(page_login)]


def optional_principal(request: Request, db: ReadSession) -> Principal | None:
    """Who holds the session cookie, or None: one query. Also the page frame's `viewer`."""
    return session_principal(request, db)


def session_principal(request: Request, db: Session) -> Principal | None:
    """The body of `optional_principal`, callable from another sync dependency, so that a page
    loads who is asking and what she asks for in one worker-thread hop."""
    if hasattr(request.state, "principal"):
        return request.state.principal
    token = request.cookies.get(session_cookie())
    principal = _session(request, db, token) if token else None
    request.state.principal = principal
    if principal is not None:
        request.state.viewer = principal
    return principal


OptionalPrincipal = Annotated[Principal | None, Depends(optional_principal)]


def _session(request: Request, db: Session, token: str) -> Principal | None:
    found = service.session_lookup(db, token=token)
    if found is None:
        return None
    if found.stale:
        # The idle clock moves after this request's transaction, in a unit of work of its own
        # (core/db.after_request): a read route stays a reader, and at most one request per
        # session every few minutes pays for the write.
        after_request(request, lambda own: service.touch_session(own, token=token))
    return found.principal


def page_principal(request: Request, db: ReadSession) -> Principal:
    """A logged-in user for an HTML page; sends them through the first-login steps first."""
    return logged_in_page_user(request, db)


def logged_in_page_user(request: Request, db: Session) -> Principal:
    """The body of `page_principal`, for sync dependencies that load more in the same hop."""
    principal = session_principal(request, db)
    if principal is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise RedirectRequired(f"/login?next={quote(target, safe='')}")
    if not request.url.path.startswith(_FIRST_LOGIN_PATHS):
        if principal.must_change_password:
            raise RedirectRequired("/account/password")
        if not principal.privacy_accepted:
            raise RedirectRequired("/privacy")
    return principal


PagePrincipal = Annotated[Principal, Depends(page_principal)]


def _account(request: Request, db: ReadSession, principal: Principal) -> User:
    user = service.user_for_principal(db, principal)
    request.state.user = user
    return user


def optional_user(request: Request, db: ReadSession, principal: OptionalPrincipal) -> User | None:
    """The whole account of the session's user, or None."""
    return None if principal is None else _account(request, db, principal)


OptionalUser = Annotated[User | None, Depends(optional_user)]


def page_user(request: Request, db: ReadSession, principal: PagePrincipal) -> User:
    """The whole account, for pages that show or change it (use PagePrincipal otherwise)."""
    return _account(request, db, principal)


CurrentUser = Annotated[User, Depends(page_user)]


def page_password_check(
    request: Request,
    db: ReadSession,
    user: CurrentUser,
    current: Annotated[str, Form()] = "",
    new: Annotated[str, Form()] = "",
    confirm: Annotated[str, Form()] = "",
) -> PasswordCheck:
    """Check a password change before the request's write transaction begins (Argon2 and the
    strength check are slow); a wrong current password is counted in a unit of work of its
    own, since the refused request commits nothing."""
    given = current if user.password_hash is not None else None
    check = passwords.check_change(db, user=user, current=given, new=new, confirm=confirm)
    end_read(request)
    if check.wrong_current:
        database: Database = request.app.state.db
        with database.unit_of_work() as own:
            passwords.record_wrong_current(own, check=check)
    return check


PagePasswordCheck = Annotated[PasswordCheck, Depends(page_password_check)]


def api_principal(request: Request, db: ReadSession) -> Principal:
    """Who calls the JSON API: a bearer token, or the session cookie plus an X-CSRF-Token
    header for writes (the pages' progressive-enhancement scripts). One query."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        token = header[7:].strip()
        principal = service.token_principal(db, token=token)
        if principal is None:
            raise Unauthenticated("Token tidak valid atau sudah kedaluwarsa.")
        request.state.principal = principal
        return _first_login_done(request, principal)
    session_token = request.cookies.get(session_cookie())
    if session_token:
        principal = _session(request, db, session_token)
        if principal is not None:
            if request.method in UNSAFE_METHODS and not security.csrf_valid(
                get_settings().secret_key, session_token, request.headers.get("x-csrf-token")
            ):
                raise Forbidden("Token CSRF tidak valid.")
            request.state.principal = principal
            return _first_login_done(request, principal)
    raise Unauthenticated("Autentikasi diperlukan.")


def _first_login_done(request: Request, principal: Principal) -> Principal:
    """The API keeps the pages' first-login order: a temporary password is replaced first
    (on the page /account/password), then the privacy notice is accepted. Until then only
    `GET /me` answers, and `POST /me/consent` once the password is the holder's own."""
    path, method = request.url.path, request.method
    if path == _API_ME and method == "GET":
        return principal
    if principal.must_change_password:
        raise FirstLoginRequired(
            "password_change_required",
            "Anda masih memakai kata sandi sementara. Buat kata sandi pribadi di halaman "
            "Ubah kata sandi (/account/password) sebelum memakai API.",
        )
    if not principal.privacy_accepted and not (path == _API_CONSENT and method == "POST"):
        raise FirstLoginRequired(
            "consent_required",
            "Anda belum menyetujui pemberitahuan privasi. Baca dan setujui di /privacy atau "
            "kirim POST /api/v1/me/consent sebelum memakai API.",
        )
    return principal


ApiPrincipal = Annotated[Principal, Depends(api_principal)]


def api_user(request: Request, db: ReadSession, principal: ApiPrincipal) -> User:
    """The whole account of the API caller, for endpoints that show or change it."""
    return _account(request, db, principal)


ApiUser = Annotated[User, Depends(api_user)]


def _role_checker(base: Callable[..., User], roles: tuple[str, ...]) -> Callable[..., User]:
    def check(user: Annotated[User, Depends(base)]) -> User:
        if not user.has_role(*roles):
            raise Forbidden()
        return user

    return check


def page_roles(*roles: str) -> Callable[..., User]:
    return _role_checker(page_user, roles)


def api_roles(*roles: str) -> Callable[..., User]:
    return _role_checker(api_user, roles)


AdminUser = Annotated[User, Depends(page_roles("admin"))]
HrUser = Annotated[User, Depends(page_roles("hr", "admin"))]
TrainerUser = Annotated[User, Depends(page_roles("trainer", "admin"))]
ApiHrUser = Annotated[User, Depends(api_roles("hr", "admin"))]


async def verify_csrf(request: Request) -> None:
    """Router-level guard for every HTML form: unsafe methods need a valid token."""
    if request.method not in UNSAFE_METHODS:
        return
    form = await request.form()
    given = form.get("csrf_token")
    binding = getattr(request.state, "csrf_binding", "")
    if not security.csrf_valid(
        get_settings().secret_key, binding, given if isinstance(given, str) else None
    ):
        raise Forbidden(
            "Sesi formulir kedaluwarsa atau tidak sah. Muat ulang halaman lalu coba lagi."
        )
