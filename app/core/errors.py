"""Domain errors, mapped once to HTML pages and JSON bodies."""

from __future__ import annotations


class AppError(Exception):
    status_code = 400
    default_message = "Permintaan tidak dapat diproses."

    def __init__(self, message: str | None = None) -> None:
        self.message = message or self.default_message
        super().__init__(self.message)


class NotFound(AppError):
    status_code = 404
    default_message = "Halaman atau data yang dicari tidak ditemukan."


class Forbidden(AppError):
    status_code = 403
    default_message = "Anda tidak memiliki akses ke halaman ini."


class Unauthenticated(AppError):
    status_code = 401
    default_message = "Silakan masuk terlebih dahulu."


class Conflict(AppError):
    status_code = 409
    default_message = "Data bertentangan dengan data yang sudah ada."


class Invalid(AppError):
    status_code = 422
    default_message = "Data tidak valid."


class TooManyRequests(AppError):
    status_code = 429
    default_message = "Terlalu banyak percobaan. Silakan coba lagi nanti."


class RedirectRequired(Exception):
    """A page needs the user elsewhere first (login, password change, privacy notice)."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.url = url
