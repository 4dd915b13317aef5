"""Password hashing (Argon2id), opaque tokens and CSRF tokens. Domain-free."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
# Verifying against this keeps the timing of "no such user" equal to "wrong password".
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def new_token() -> str:
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def csrf_token(secret_key: str, binding: str) -> str:
    """A CSRF token bound to the caller's session (or anonymous) cookie."""
    return hmac.new(secret_key.encode(), b"csrf:" + binding.encode(), hashlib.sha256).hexdigest()


def csrf_valid(secret_key: str, binding: str, given: str | None) -> bool:
    if not given or not binding:
        return False
    return hmac.compare_digest(csrf_token(secret_key, binding), given)


PASSWORD_MIN_LENGTH = 10


def password_problem(password: str, *, user_inputs: tuple[str, ...] = ()) -> str | None:
    """Why a new password is not acceptable, or None."""
    if len(password) < PASSWORD_MIN_LENGTH:
        return f"Kata sandi minimal {PASSWORD_MIN_LENGTH} karakter."
    if password.isdigit() or password.isalpha():
        return "Kata sandi harus memuat huruf dan angka atau simbol."
    lowered = password.lower()
    for value in user_inputs:
        if value and len(value) >= 4 and value.lower() in lowered:
            return "Kata sandi tidak boleh memuat NIP, nama, atau email Anda."
    return None
