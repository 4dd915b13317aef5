from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.orm import Session, joinedload, lazyload, selectinload

from app.accounts.principal import Principal
from app.core import clock
from app.models import ApiToken, LoginThrottle, User, UserRole, UserSession

_USER_LOADS = (
    joinedload(User.instansi),
    joinedload(User.unit),
    selectinload(User.roles),
)


def user_by_id(session: Session, user_id: int) -> User | None:
    return session.scalars(select(User).options(*_USER_LOADS).where(User.id == user_id)).first()


def user_for_update(session: Session, user_id: int) -> User | None:
    """The account's row, locked for this transaction (no joined loads: PostgreSQL cannot lock
    the nullable side of an outer join)."""
    stmt = select(User).where(User.id == user_id).with_for_update()
    return session.scalars(stmt.execution_options(populate_existing=True)).first()


# The account's own columns only: one statement whether or not an account matches (the
# roles are otherwise loaded by a second one, for a match only).
_NO_LOADS = (lazyload(User.roles),)


def user_by_nip(session: Session, nip: str, *, details: bool = True) -> User | None:
    options = _USER_LOADS if details else _NO_LOADS
    return session.scalars(select(User).options(*options).where(User.nip == nip)).first()


def user_by_email(session: Session, email: str, *, details: bool = True) -> User | None:
    options = _USER_LOADS if details else _NO_LOADS
    stmt = select(User).options(*options).where(func.lower(User.email) == email.lower())
    return session.scalars(stmt).first()


# One round trip for every logged-in request: the active user behind a live session or API
# token, with her roles (one row per role). Built once, so each cache key is computed once.
_PRINCIPAL_COLUMNS = select(
    User.id,
    User.name,
    User.instansi_id,
    User.must_change_password,
    User.privacy_accepted_at,
    UserRole.role,
).outerjoin(UserRole, UserRole.user_id == User.id)

# A session also ends after CAKAP_SESSION_IDLE_MINUTES without use (last_seen_at).
_PRINCIPAL_BY_SESSION = (
    _PRINCIPAL_COLUMNS.add_columns(UserSession.last_seen_at)
    .join(UserSession, UserSession.user_id == User.id)
    .where(
        UserSession.token_hash == bindparam("token_hash"),
        UserSession.expires_at > bindparam("now"),
        UserSession.last_seen_at > bindparam("idle_since"),
        User.is_active.is_(True),
    )
)

# Every token has an end (access: minutes; personal: CAKAP_PERSONAL_TOKEN_DAYS).
_PRINCIPAL_BY_API_TOKEN = _PRINCIPAL_COLUMNS.join(ApiToken, ApiToken.user_id == User.id).where(
    ApiToken.token_hash == bindparam("token_hash"),
    ApiToken.expires_at > bindparam("now"),
    User.is_active.is_(True),
)


def principal_by_token_hash(
    session: Session, token_hash: str, *, now: datetime, idle_since: datetime
) -> tuple[Principal, datetime | None] | None:
    """The principal behind a live session and when the session was last seen."""
    params = {"token_hash": token_hash, "now": now, "idle_since": idle_since}
    rows = session.connection().execute(_PRINCIPAL_BY_SESSION, params).all()
    if not rows:
        return None
    return _principal(rows), rows[0].last_seen_at


def principal_by_api_token_hash(session: Session, token_hash: str) -> Principal | None:
    # Core rows, not entities: executed on the connection, past the ORM's per-statement work.
    params = {"token_hash": token_hash, "now": clock.now()}
    rows = session.connection().execute(_PRINCIPAL_BY_API_TOKEN, params).all()
    return _principal(rows) if rows else None


def touch_session(
    session: Session, token_hash: str, *, now: datetime, older_than: datetime
) -> None:
    # Conditional, so that two requests of one browser arriving together write once.
    session.execute(
        update(UserSession)
        .where(UserSession.token_hash == token_hash, UserSession.last_seen_at < older_than)
        .values(last_seen_at=now)
    )


def _principal(rows: Any) -> Principal:
    first = rows[0]
    return Principal(
        id=first.id,
        name=first.name,
        roles=frozenset(row.role.value for row in rows if row.role is not None),
        instansi_id=first.instansi_id,
        must_change_password=first.must_change_password,
        privacy_accepted=first.privacy_accepted_at is not None,
    )


def delete_sessions_of(session: Session, user_id: int) -> None:
    """End every session and every API token (access and personal) of a user.

    The one mechanism behind a password change, a reset, deactivation and a removed role: the
    rows are deleted in the transaction that makes the change, so the change and the end of
    its credentials commit together (or not at all). Chosen over a credentials generation
    compared in the principal query: that query stays as it is (no extra column on every
    request), and no dead rows are left to match."""
    session.execute(delete(UserSession).where(UserSession.user_id == user_id))
    session.execute(delete(ApiToken).where(ApiToken.user_id == user_id))


def delete_session(session: Session, token_hash: str) -> int | None:
    """End a session; whose it was (one statement: DELETE … RETURNING)."""
    return session.scalar(
        delete(UserSession)
        .where(UserSession.token_hash == token_hash)
        .returning(UserSession.user_id)
    )


def throttle(session: Session, key: str) -> LoginThrottle | None:
    return session.get(LoginThrottle, key)


def throttle_for_update(session: Session, key: str, *, now: datetime) -> LoginThrottle:
    """The pair's counter, created if missing, locked for this transaction: concurrent
    failures of one pair (PostgreSQL, several processes) neither collide on the insert nor
    lose a count."""
    from sqlalchemy.dialects import postgresql, sqlite

    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    stmt_insert: Any = dialect.insert(LoginThrottle)
    session.execute(
        stmt_insert.values(key=key, failures=0, window_started_at=now).on_conflict_do_nothing(
            index_elements=["key"]
        )
    )
    stmt = select(LoginThrottle).where(LoginThrottle.key == key).with_for_update()
    return session.scalars(stmt.execution_options(populate_existing=True)).one()


def personal_tokens(session: Session, user_id: int) -> list[ApiToken]:
    stmt = (
        select(ApiToken)
        .where(ApiToken.user_id == user_id, ApiToken.kind == "personal")
        .order_by(ApiToken.id)
    )
    return list(session.scalars(stmt))


def search_users(
    session: Session,
    *,
    query: str | None,
    role: str | None,
    instansi_id: int | None,
    page: int,
    per_page: int = 50,
) -> tuple[list[User], int]:
    from app.models import Role, UserRole

    stmt = select(User)
    if query:
        like = f"%{query.lower()}%"
        stmt = stmt.where(
            func.lower(User.name).like(like)
            | User.nip.like(f"%{query}%")
            | func.lower(User.email).like(like)
        )
    if role is not None and role in Role.__members__:
        wanted = Role(role)
        stmt = stmt.where(User.roles.any(UserRole.role == wanted))
    if instansi_id is not None:
        stmt = stmt.where(User.instansi_id == instansi_id)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(
        stmt.options(*_USER_LOADS).order_by(User.name).limit(per_page).offset((page - 1) * per_page)
    ).all()
    return list(rows), total


def delete_expired_credentials(
    session: Session, *, now: datetime, idle_since: datetime, throttle_before: datetime
) -> dict[str, int]:
    """Delete sessions and tokens that can no longer be used, and login counters whose window
    and lock have both passed: rows that only keep who-logged-in-from-where lying about."""
    sessions = session.execute(
        delete(UserSession).where(
            (UserSession.expires_at < now) | (UserSession.last_seen_at < idle_since)
        )
    )
    tokens = session.execute(delete(ApiToken).where(ApiToken.expires_at < now))
    counters = session.execute(
        delete(LoginThrottle).where(
            LoginThrottle.window_started_at < throttle_before,
            (LoginThrottle.locked_until.is_(None)) | (LoginThrottle.locked_until < now),
        )
    )
    return {
        "sessions": sessions.rowcount or 0,  # type: ignore[attr-defined]
        "tokens": tokens.rowcount or 0,  # type: ignore[attr-defined]
        "counters": counters.rowcount or 0,  # type: ignore[attr-defined]
    }
