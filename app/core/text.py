"""Checks on untrusted text that must hold before any other validation runs."""

from __future__ import annotations


def is_ascii_digits(value: str) -> bool:
    """Only 0–9. `str.isdigit()` also accepts `²` and Arabic-Indic digits, which `int()` then
    refuses or reads as another number."""
    return value.isascii() and value.isdigit()
