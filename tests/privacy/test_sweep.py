"""Expired sessions, tokens and spent login counters are swept; live ones stay."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts import service as accounts
from app.core import clock, security
from app.models import ApiToken, LoginThrottle, UserSession
from tests.factories import World


def test_the_sweep_removes_only_what_can_no_longer_be_used(session: Session, world: World) -> None:
    now = clock.now()
    live = accounts.start_session(session, user=world.learner)
    expired = accounts.start_session(session, user=world.learner)
    idle = accounts.start_session(session, user=world.learner2)
    rows = {r.token_hash: r for r in session.scalars(select(UserSession))}
    rows[security.hash_token(expired)].expires_at = now - timedelta(minutes=1)
    rows[security.hash_token(idle)].last_seen_at = now - timedelta(hours=2)
    live_token = accounts.create_personal_token(session, user=world.hr, name="Aktif")
    accounts.create_personal_token(session, user=world.hr, name="Habis")
    spent = session.scalars(select(ApiToken).where(ApiToken.name == "Habis")).one()
    spent.expires_at = now - timedelta(days=1)
    session.add_all(
        [
            LoginThrottle(key="old", failures=5, window_started_at=now - timedelta(days=2)),
            LoginThrottle(
                key="locked",
                failures=5,
                window_started_at=now - timedelta(days=2),
                locked_until=now + timedelta(minutes=5),
            ),
            # a password-reset mail count: its window is an hour, so it stays
            LoginThrottle(key="reset", failures=3, window_started_at=now - timedelta(minutes=30)),
            LoginThrottle(key="fresh", failures=1, window_started_at=now),
        ]
    )
    session.commit()

    counts = accounts.sweep_expired_credentials(session)
    session.commit()

    assert counts == {"sessions": 2, "tokens": 1, "counters": 1}
    left = set(session.scalars(select(UserSession.token_hash)))
    assert left == {security.hash_token(live)}
    assert session.scalar(select(func.count()).select_from(ApiToken)) == 1
    assert accounts.token_principal(session, token=live_token) is not None
    assert set(session.scalars(select(LoginThrottle.key))) == {"locked", "fresh", "reset"}
