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

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def hash_password(password: str) -> str:
    return _hasher.hash(password)


_FIRST_LOGIN_PREFIX = "$cakap-hmac-sha256$"


def hash_first_login_code(code: str) -> str:
    """A keyed hash for a random, single-use first-login code (from an import or a reset).

    Argon2 slows down guessing of passwords people choose; a code of 80+ random bits cannot be
    guessed, so a keyed SHA-256 protects it as well at a millionth of the cost (10,000
    imported people hash in milliseconds, not minutes). The holder must replace it with a
    password of her own at first login, which is hashed with Argon2."""
    from app.config import get_settings

    key = get_settings().secret_key.encode()
    digest = hmac.new(key, b"first-login:" + code.encode(), hashlib.sha256).hexdigest()
    return _FIRST_LOGIN_PREFIX + digest


def is_first_login_code(password_hash: str | None) -> bool:
    return bool(password_hash and password_hash.startswith(_FIRST_LOGIN_PREFIX))


def verify_password(password_hash: str | None, password: str) -> bool:
    if password_hash and password_hash.startswith(_FIRST_LOGIN_PREFIX):
        return hmac.compare_digest(password_hash, hash_first_login_code(password))
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    if password_hash.startswith(_FIRST_LOGIN_PREFIX):
        return False  # replaced by the holder's own password at first login
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


# NIST SP 800-63B §5.1.1.2: at least 12 characters here, any characters (spaces and emoji
# included), no composition rules; refused when common, breached-style or about the person.
PASSWORD_MIN_LENGTH = 12
# Long enough for any passphrase; bounded because the strength estimate grows with length.
PASSWORD_MAX_LENGTH = 128
# zxcvbn's score (0-4): below 3 is guessable within about 10^8 tries.
PASSWORD_MIN_SCORE = 3


def password_problem(password: str, *, user_inputs: tuple[str, ...] = ()) -> str | None:
    """Why a new password is not acceptable, or None."""
    from zxcvbn import zxcvbn

    if len(password) < PASSWORD_MIN_LENGTH:
        return (
            f"Kata sandi minimal {PASSWORD_MIN_LENGTH} karakter. Kalimat panjang dengan spasi "
            "juga boleh, misalnya beberapa kata acak yang mudah Anda ingat."
        )
    if len(password) > PASSWORD_MAX_LENGTH:
        return f"Kata sandi maksimal {PASSWORD_MAX_LENGTH} karakter."
    lowered = password.lower()
    inputs = [value.lower() for value in user_inputs if value and len(value) >= 4]
    for value in inputs:
        if value in lowered:
            return "Kata sandi tidak boleh memuat NIP, nama, atau email Anda."
    if (
        zxcvbn(password, user_inputs=inputs, max_length=PASSWORD_MAX_LENGTH)["score"]
        < PASSWORD_MIN_SCORE
    ):
        return (
            "Kata sandi terlalu umum atau mudah ditebak (misalnya Password123 atau pola "
            "keyboard). Pakai kalimat panjang dari beberapa kata acak yang hanya Anda ketahui."
        )
    return None
