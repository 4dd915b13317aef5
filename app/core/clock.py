"""Time and randomness in one place, so tests can control them."""

from __future__ import annotations

import random
import secrets
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

# Indonesian working dates (JP year, certificate dates) are reckoned in Western Indonesia Time.
WIB = ZoneInfo("Asia/Jakarta")

_frozen: datetime | None = None


def now() -> datetime:
    """The current time, timezone-aware UTC."""
    return _frozen if _frozen is not None else datetime.now(UTC)


def today() -> date:
    return now().date()


def local_today() -> date:
    """Today in WIB: the date a learner sees on her certificate and in her JP year."""
    return now().astimezone(WIB).date()


def freeze(at: datetime | None) -> None:
    """Pin the clock (tests only); `None` releases it."""
    global _frozen
    _frozen = at


def token(nbytes: int = 32) -> str:
    return secrets.token_urlsafe(nbytes)


_rng: random.Random | None = None


def rng() -> random.Random:
    """The source of randomness for quiz papers; tests may seed it with `seed()`."""
    return _rng if _rng is not None else random.SystemRandom()


def seed(value: int | None) -> None:
    global _rng
    _rng = None if value is None else random.Random(value)
