"""Checks on untrusted text that must hold before any other validation runs."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email

from app.core.errors import Invalid

MAX_EMAIL = 254  # RFC 5321: the longest address a mail server accepts


def is_ascii_digits(value: str) -> bool:
    """Only 0–9. `str.isdigit()` also accepts `²` and Arabic-Indic digits, which `int()` then
    refuses or reads as another number."""
    return value.isascii() and value.isdigit()


def normalise_email(raw: str) -> str:
    """The address lower-cased, or Invalid. The length is checked first, so a huge value costs
    nothing; the syntax by email-validator, not a home-made regular expression. (`.test`
    addresses, reserved for testing by RFC 2606 and used by the demo, are accepted.)"""
    text = (raw or "").strip()
    if len(text) > MAX_EMAIL:
        raise Invalid(f"Alamat email terlalu panjang (maksimal {MAX_EMAIL} karakter).")
    try:
        checked = validate_email(text, check_deliverability=False, test_environment=True)
    except EmailNotValidError:
        raise Invalid("Alamat email tidak valid.") from None
    return checked.normalized.lower()
