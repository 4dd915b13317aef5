"""Time and randomness in one place, so tests can control them."""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime

_frozen: datetime | None = None


def now() -> datetime:
    """The current time, timezone-aware UTC."""
    return _frozen if _frozen is not None else datetime.now(UTC)


def today() -> date:
    return now().date()


def freeze(at: datetime | None) -> None:
    """Pin the clock (tests only); `None` releases it."""
    global _frozen
    _frozen = at


def token(nbytes: int = 32) -> str:
    return secrets.token_urlsafe(nbytes)
