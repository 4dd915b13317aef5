from __future__ import annotations

from pydantic import BaseModel


class TokenIn(BaseModel):
    username: str
    password: str


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth token type, not a secret
    expires_in: int


class MeOut(BaseModel):
    id: int
    nip: str | None
    name: str
    email: str | None
    roles: list[str]
    instansi: str | None
    unit: str | None
    jp_this_year: int
