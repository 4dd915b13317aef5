"""Changing one's own password, in two steps: the slow checks (Argon2, the strength check) run
before the request's write transaction, and the write applies only what was checked
(ARCHITECTURE.md rule 2). Wrong current passwords are throttled like failed logins, so a
borrowed session cannot be used to guess the password behind it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.accounts import service as accounts
from app.audit import service as audit
from app.config import get_settings
from app.core import security
from app.core.errors import Conflict, Invalid
from app.models import User


@dataclass(frozen=True)
class PasswordCheck:
    user_id: int
    error: str | None = None
    wrong_current: bool = False  # counts towards the throttle
    new_hash: str | None = None
    checked_against: str | None = None  # the stored hash when the check was made


def _throttle_key(user_id: int) -> str:
    return f"password-change:{user_id}"


def check_change(
    session: Session, *, user: User, current: str | None, new: str, confirm: str
) -> PasswordCheck:
    """Everything slow about a password change, writing nothing.

    `current` is None only for a holder of a spent first-login code (no password to give)."""
    retry_after = accounts.retry_after(session, _throttle_key(user.id))
    if retry_after is not None:
        minutes = max(1, -(-retry_after // 60))
        message = f"Terlalu banyak kata sandi saat ini yang salah. Coba lagi dalam {minutes} menit."
        return PasswordCheck(user.id, error=message)
    if current is None and user.password_hash is not None:
        return PasswordCheck(user.id, error="Kata sandi saat ini wajib diisi.")
    if current is not None and not security.verify_password(user.password_hash, current):
        return PasswordCheck(user.id, error="Kata sandi saat ini salah.", wrong_current=True)
    if problem := accounts.new_password_problem(user, new=new, confirm=confirm):
        return PasswordCheck(user.id, error=problem)
    if security.verify_password(user.password_hash, new):
        return PasswordCheck(user.id, error="Kata sandi baru harus berbeda dari yang lama.")
    return PasswordCheck(
        user.id, new_hash=security.hash_password(new), checked_against=user.password_hash
    )


def record_wrong_current(session: Session, *, check: PasswordCheck) -> None:
    """In a unit of work of its own: the failed request itself commits nothing."""
    accounts.count_failure(session, _throttle_key(check.user_id), get_settings().login_max_failures)
    audit.record(
        session,
        actor=None,
        action="password.change_failed",
        object_type="user",
        object_id=check.user_id,
    )


def apply_change(session: Session, *, user: User, check: PasswordCheck) -> None:
    """Set the checked password; every session and API token of the user ends."""
    if check.error or check.new_hash is None or check.user_id != user.id:
        raise Invalid(check.error or "Kata sandi tidak dapat diubah.")
    if user.password_hash != check.checked_against:
        raise Conflict("Kata sandi akun ini baru saja diubah di tempat lain. Muat ulang halaman.")
    accounts.replace_password(session, user=user, password_hash=check.new_hash)
    audit.record(
        session, actor=user, action="password.change", object_type="user", object_id=user.id
    )
