"""One reset link used by several requests at once sets one password (each request in its own
transaction on its own connection: SQLite BEGIN IMMEDIATE, PostgreSQL SELECT … FOR UPDATE)."""

from __future__ import annotations

from sqlalchemy import select

from app.core import security
from app.core.db import Database
from app.models import AuditEvent, User
from app.password_reset import service as reset
from tests import factories
from tests.learning.test_races import _parallel

N = 8


def _password(i: int) -> str:
    return f"kopi tubruk nomor {i} di alun-alun"


def test_parallel_uses_of_one_link_set_one_password(real_database: Database) -> None:
    with real_database.unit_of_work() as s:
        factories.bind(s)
        user = factories.UserFactory(email="rina@contoh.test")
        user_id = user.id
        token = reset.make_token(user)
    with real_database.unit_of_work(write=False) as s:
        prepared = [
            reset.prepare_reset(
                s,
                token=token,
                new=f"kopi tubruk nomor {i} di alun-alun",
                confirm=f"kopi tubruk nomor {i} di alun-alun",
            )
            for i in range(N)
        ]
    assert all(p.new_hash for p in prepared)  # every one passed the read-only check

    def use(i: int) -> int | None:
        with real_database.unit_of_work() as s:
            return i if reset.complete_reset(s, prepared=prepared[i]).user is not None else None

    counter = iter(range(N))  # next() under the GIL: each thread takes its own request
    winners = [i for i in _parallel(N, lambda: use(next(counter))) if i is not None]
    assert len(winners) == 1
    with real_database.unit_of_work(write=False) as s:
        stored = s.get(User, user_id)
        assert stored is not None and stored.password_hash == prepared[winners[0]].new_hash
        assert security.verify_password(stored.password_hash, _password(winners[0]))
        resets = s.scalars(select(AuditEvent).where(AuditEvent.action == "password.reset")).all()
        assert len(resets) == 1
