from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core import clock
from app.core.db import Base, UTCDateTime
from app.models.org import Instansi, Unit


class Role(enum.StrEnum):
    learner = "learner"
    trainer = "trainer"
    hr = "hr"
    admin = "admin"


class JenisAsn(enum.StrEnum):
    PNS = "PNS"
    CPNS = "CPNS"
    PPPK = "PPPK"


class User(Base):
    """A person and their account. `id` is the stable internal id: a PPPK number can change."""

    __tablename__ = "user_account"
    # Reports and lists select an instansi's people, often narrowed to a unit subtree.
    __table_args__ = (Index("ix_user_account_instansi_id_unit_id", "instansi_id", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    nip: Mapped[str | None] = mapped_column(String(18), unique=True)
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    jenis_asn: Mapped[str | None] = mapped_column(
        Enum(JenisAsn, native_enum=False, length=8, values_callable=lambda e: [m.value for m in e])
    )
    golongan: Mapped[str | None] = mapped_column(String(8))
    jenis_jabatan: Mapped[str | None] = mapped_column(String(20))
    jabatan: Mapped[str | None] = mapped_column(String(200))
    instansi_id: Mapped[int | None] = mapped_column(ForeignKey("instansi.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)

    password_hash: Mapped[str | None] = mapped_column(String(200))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Retired (pensiun) from this date: still holds an account and a record, but no longer
    # counts in the 20-JP compliance of her instansi (PRODUCT.md §2 Transfers).
    retired_on: Mapped[date | None] = mapped_column(Date)
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    # HR may decline the weekly digest of overdue people (mandatory reminders cannot be declined).
    wants_digest: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # A first-login code (import, admin or HR reset) is accepted until then, and only once.
    temporary_password_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    privacy_accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=clock.now, onupdate=clock.now
    )

    instansi: Mapped[Instansi | None] = relationship()
    unit: Mapped[Unit | None] = relationship()
    roles: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def role_names(self) -> set[str]:
        return {r.role.value for r in self.roles}

    def has_role(self, *names: str) -> bool:
        return bool(self.role_names.intersection(names))


class UserRole(Base):
    """A role held by a user; `instansi_id` scopes an HR role to one agency, and `unit_id`,
    when set, narrows it to that unit and its sub-units (app/accounts/scope.py)."""

    __tablename__ = "user_role"
    __table_args__ = (UniqueConstraint("user_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[Role] = mapped_column(
        Enum(Role, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e])
    )
    instansi_id: Mapped[int | None] = mapped_column(ForeignKey("instansi.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship(back_populates="roles")


class UserSession(Base):
    """A server-side login session; the cookie holds a random token, the table its SHA-256."""

    __tablename__ = "user_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The idle timeout's clock; moved forward at most every few minutes, after the request's
    # own transaction (app/accounts/deps.py: _touch_session).
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=clock.now)

    user: Mapped[User] = relationship()


class ApiToken(Base):
    """Bearer tokens: short-lived access tokens and long-lived personal tokens (hashed)."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))  # access | personal
    name: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()


class LoginThrottle(Base):
    """Failed-login counters per account and per address, shared by every app process."""

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    window_started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
