"""The pages of self-service password reset: ask for a link, then set a new password."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response

from app.accounts.deps import client_address, verify_csrf
from app.core.db import ReadSession, TransactionRoute, WriteSession, end_read
from app.core.templating import redirect, render
from app.password_reset import service
from app.password_reset.service import PreparedReset

router = APIRouter(
    route_class=TransactionRoute, dependencies=[Depends(verify_csrf)], include_in_schema=False
)


def prepared_reset(
    request: Request,
    db: ReadSession,
    token: str,
    new: Annotated[str, Form()] = "",
    confirm: Annotated[str, Form()] = "",
) -> PreparedReset:
    """The link and the new password checked, and the password hashed, before the route's
    write transaction begins (Argon2 is slow; ARCHITECTURE.md rule 2)."""
    prepared = service.prepare_reset(db, token=token, new=new, confirm=confirm)
    end_read(request)
    return prepared


PreparedResetForm = Annotated[PreparedReset, Depends(prepared_reset)]


def _private(response: Response) -> Response:
    """Pages of the reset by e-mail: kept by no cache, and the link's token (in the address
    of the reset page) never sent on as a Referer."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@router.get("/password/forgot", response_class=HTMLResponse)
def forgot_form(request: Request) -> Response:
    context = {"available": service.available(), "minutes": service.RESET_MINUTES}
    return _private(render(request, "password_reset/forgot.html", context))


@router.post("/password/forgot", response_class=HTMLResponse)
def forgot(request: Request, db: WriteSession, username: Annotated[str, Form()] = "") -> Response:
    if not service.available():
        return _private(redirect("/password/forgot"))
    if not username.strip():
        page = render(
            request,
            "password_reset/forgot.html",
            {
                "available": True,
                "minutes": service.RESET_MINUTES,
                "error": "Isi NIP atau email akun Anda.",
            },
            status_code=422,
        )
        return _private(page)
    service.request_reset(db, username=username, address=client_address(request))
    # The same answer whatever was typed, whether or not a message was queued.
    return _private(redirect("/password/forgot/sent"))


@router.get("/password/forgot/sent", response_class=HTMLResponse)
def forgot_sent(request: Request) -> Response:
    context = {"minutes": service.RESET_MINUTES}
    return _private(render(request, "password_reset/sent.html", context))


def _reset_page(request: Request, token: str, *, error: str | None, status: int) -> Response:
    # A refused password (422) shows the form again; a link that is not valid (400) or has
    # expired (410) shows why and where to ask for a new one.
    context = {"token": token, "error": error, "link_ok": status in (200, 422)}
    return _private(render(request, "password_reset/reset.html", context, status_code=status))


@router.get("/password/reset/{token}", response_class=HTMLResponse)
def reset_form(request: Request, db: ReadSession, token: str) -> Response:
    check = service.check_token(db, token)
    return _reset_page(request, token, error=check.error, status=check.status)


@router.post("/password/reset/{token}", response_class=HTMLResponse)
def reset_password(
    request: Request, prepared: PreparedResetForm, db: WriteSession, token: str
) -> Response:
    # The link and the new password were checked, and the password hashed, before this
    # write began (prepared_reset); the link is checked again, its account locked.
    if prepared.error is not None:
        return _reset_page(request, token, error=prepared.error, status=prepared.status)
    done = service.complete_reset(db, prepared=prepared)
    if done.user is None:
        return _reset_page(request, token, error=done.error, status=done.status)
    flash = "Kata sandi berhasil diatur ulang. Silakan masuk dengan kata sandi baru Anda."
    return _private(redirect("/login", flash=flash))
