from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response

from app.accounts import service
from app.accounts.deps import ApiUser, check_login
from app.accounts.schemas import TokenIn, TokenOut
from app.accounts.service import LoginCheck
from app.core.db import ReadSession, TransactionRoute, WriteSession

router = APIRouter(route_class=TransactionRoute, tags=["accounts"])


def api_login(request: Request, db: ReadSession, body: TokenIn) -> LoginCheck:
    return check_login(request, db, username=body.username, password=body.password)


@router.post("/auth/token", response_model=TokenOut, responses={401: {}, 429: {}})
def token(
    check: Annotated[LoginCheck, Depends(api_login)], db: WriteSession
) -> TokenOut | JSONResponse:
    if not check.ok:
        if check.throttled:
            headers = {"Retry-After": str(check.retry_after or 1)}
            return JSONResponse({"detail": check.error}, status_code=429, headers=headers)
        return JSONResponse({"detail": check.error}, status_code=401)
    user = service.complete_login(db, check=check)
    access, ttl = service.issue_access_token(db, user=user)
    return TokenOut(access_token=access, expires_in=ttl)


@router.post("/me/consent", status_code=204, responses={403: {}})
def consent(db: WriteSession, user: ApiUser) -> Response:
    """Accept the privacy notice (the page /privacy shows it); idempotent."""
    service.accept_privacy(db, user=user)
    return Response(status_code=204)
