from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from app.accounts import service
from app.accounts.deps import ApiUser, client_address
from app.accounts.schemas import MeOut, TokenIn, TokenOut
from app.core.db import DbSession
from app.learning import service as learning

router = APIRouter(tags=["accounts"])


@router.post("/auth/token", response_model=TokenOut, responses={401: {}, 429: {}})
def token(body: TokenIn, request: Request, db: DbSession) -> TokenOut | JSONResponse:
    result = service.authenticate(
        db, username=body.username, password=body.password, address=client_address(request)
    )
    if result.user is None:
        # Not raised: the failure counters must be committed with this request.
        return JSONResponse({"detail": result.error}, status_code=429 if result.throttled else 401)
    access, ttl = service.issue_access_token(db, user=result.user)
    return TokenOut(access_token=access, expires_in=ttl)


@router.get("/me", response_model=MeOut)
def me(db: DbSession, user: ApiUser) -> MeOut:
    return MeOut(
        id=user.id,
        nip=user.nip,
        name=user.name,
        email=user.email,
        roles=sorted(user.role_names),
        instansi=user.instansi.code if user.instansi else None,
        unit=user.unit.code if user.unit else None,
        jp_this_year=learning.jp_this_year(db, user=user),
    )
