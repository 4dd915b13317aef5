"""Login, logout, first-login steps and the user's own account page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.accounts import passwords, repository, service
from app.accounts.deps import (
    CurrentUser,
    OptionalUser,
    PageLogin,
    PagePasswordCheck,
    session_cookie,
    verify_csrf,
)
from app.config import get_settings
from app.core.db import ReadSession, TransactionRoute, WriteSession
from app.core.errors import Invalid
from app.core.params import RowId
from app.core.templating import redirect, render
from app.models import User

router = APIRouter(
    route_class=TransactionRoute, dependencies=[Depends(verify_csrf)], include_in_schema=False
)


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, user: OptionalUser, next: str | None = None) -> Response:
    if user is not None:
        return RedirectResponse(_safe_next(next), status_code=303)
    return render(
        request,
        "accounts/login.html",
        {"next": _safe_next(next), "reset_available": get_settings().mail_configured},
    )


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    check: PageLogin,
    db: WriteSession,
    username: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    if not check.ok:
        page = render(
            request,
            "accounts/login.html",
            {
                "error": check.error,
                "username": username,
                "next": _safe_next(next),
                "reset_available": get_settings().mail_configured,
            },
            status_code=429 if check.throttled else 422,
        )
        if check.throttled:
            page.headers["Retry-After"] = str(check.retry_after or 1)
        return page
    user = service.complete_login(db, check=check)
    token = service.start_session(db, user=user)
    response = redirect(_safe_next(next))
    response.set_cookie(
        session_cookie(),
        token,
        max_age=get_settings().session_ttl_hours * 3600,
        httponly=True,
        samesite="lax",
        secure=get_settings().secure_cookies,
        path="/",
    )
    return response


@router.post("/logout")
def logout(db: WriteSession, request: Request) -> Response:
    token = request.cookies.get(session_cookie())
    if token:
        service.end_session(db, token=token)
    response = redirect("/login", flash="Anda telah keluar.")
    response.delete_cookie(session_cookie(), path="/", secure=get_settings().secure_cookies)
    return response


@router.get("/account/password", response_class=HTMLResponse)
def password_form(request: Request, user: CurrentUser) -> Response:
    return render(request, "accounts/password.html", _password_context(user))


def _password_context(user: User) -> dict[str, object]:
    # A spent first-login code leaves no password to ask for: the session proves the code.
    return {"forced": user.must_change_password, "ask_current": user.password_hash is not None}


@router.post("/account/password", response_class=HTMLResponse)
def password_change(
    request: Request, check: PagePasswordCheck, db: WriteSession, user: CurrentUser
) -> Response:
    try:
        passwords.apply_change(db, user=user, check=check)
    except Invalid as exc:
        return render(
            request,
            "accounts/password.html",
            {"error": exc.message, **_password_context(user)},
            status_code=422,
        )
    # Every session ended with the change: start a fresh one for this browser.
    token = service.start_session(db, user=user)
    response = redirect("/", flash="Kata sandi berhasil diubah.")
    response.set_cookie(
        session_cookie(),
        token,
        max_age=get_settings().session_ttl_hours * 3600,
        httponly=True,
        samesite="lax",
        secure=get_settings().secure_cookies,
        path="/",
    )
    return response


@router.get("/privacy", response_class=HTMLResponse)
def privacy_notice(request: Request, user: OptionalUser) -> Response:
    """Readable by anyone; a logged-in user who has not yet accepted is asked to."""
    accepted_at = user.privacy_accepted_at if user else None
    return render(request, "accounts/privacy.html", {"accepted_at": accepted_at})


@router.post("/privacy")
def privacy_accept(db: WriteSession, user: CurrentUser) -> Response:
    service.accept_privacy(db, user=user)
    return redirect("/", flash="Terima kasih. Persetujuan Anda telah dicatat.")


@router.get("/account", response_class=HTMLResponse)
def account(request: Request, db: ReadSession, user: CurrentUser) -> Response:
    tokens = repository.personal_tokens(db, user.id) if user.has_role("hr", "admin") else []
    return render(request, "accounts/account.html", {"tokens": tokens})


@router.post("/account/tokens", response_class=HTMLResponse)
def token_create(
    db: WriteSession,
    request: Request,
    user: CurrentUser,
    name: Annotated[str, Form()] = "",
) -> Response:
    try:
        token = service.create_personal_token(db, user=user, name=name)
    except Invalid as exc:
        tokens = repository.personal_tokens(db, user.id)
        return render(
            request,
            "accounts/account.html",
            {"tokens": tokens, "error": exc.message},
            status_code=422,
        )
    tokens = repository.personal_tokens(db, user.id)
    return render(request, "accounts/account.html", {"tokens": tokens, "new_token": token})


@router.post("/account/digest")
def digest_preference(
    db: WriteSession, user: CurrentUser, wants: Annotated[str, Form(max_length=8)] = ""
) -> Response:
    """HR's weekly digest of overdue people: hers to decline (mandatory reminders to learners
    cannot be declined)."""
    service.set_digest_preference(db, user=user, wants=wants == "ya")
    return redirect("/account", flash="Pengaturan ringkasan mingguan disimpan.")


@router.post("/account/tokens/{token_id}/delete")
def token_delete(db: WriteSession, user: CurrentUser, token_id: RowId) -> Response:
    service.revoke_personal_token(db, user=user, token_id=token_id)
    return redirect("/account", flash="Token dicabut.")
