"""Pure ASGI middleware: security headers, the anonymous CSRF cookie, request size limit."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from http.cookies import SimpleCookie
from typing import Any

from starlette.exceptions import HTTPException

from app.core import security

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

SESSION_COOKIE = "cakap_session"
ANON_COOKIE = "cakap_anon"
# Under https the cookies carry the __Host- prefix: the browser then only accepts them with
# Secure, Path=/ and no Domain, so a sibling subdomain cannot plant or shadow a session.
HOST_PREFIX = "__Host-"


def session_cookie_name(*, secure: bool) -> str:
    return HOST_PREFIX + SESSION_COOKIE if secure else SESSION_COOKIE


def anon_cookie_name(*, secure: bool) -> str:
    return HOST_PREFIX + ANON_COOKIE if secure else ANON_COOKIE


def _is_private(scope: Scope, cookies: dict[str, str], session_cookie: str) -> bool:
    """Answers that may hold personal data or secrets: every API answer (the token endpoint
    included), and everything asked for with a session or a bearer token (logged-in pages,
    the pages that show a temporary password or a new token). No cache may keep them."""
    path: str = scope.get("path", "")
    if path.startswith("/static/"):
        return False
    if path.startswith("/api/") or session_cookie in cookies:
        return True
    return any(name == b"authorization" for name, _ in scope.get("headers", []))


CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


def _cookies(scope: Scope) -> dict[str, str]:
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            jar: SimpleCookie = SimpleCookie()
            try:
                jar.load(value.decode("latin-1"))
            except Exception:
                return {}
            return {k: m.value for k, m in jar.items()}
    return {}


def _browser_only(raw: list[tuple[bytes, bytes]]) -> bool:
    """A route's own `Cache-Control: private…` is kept: course media (immutable, versioned)
    may stay in the learner's browser on a weak signal, never in a shared cache."""
    return any(n.lower() == b"cache-control" and v.startswith(b"private") for n, v in raw)


class SecurityMiddleware:
    """Adds strict security headers to every response and gives anonymous visitors a
    random cookie that their CSRF tokens are bound to (the login form needs one)."""

    def __init__(self, app: ASGIApp, *, secure_cookies: bool, max_body_bytes: int) -> None:
        self.app = app
        self.secure_cookies = secure_cookies
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        headers = dict(scope.get("headers", []))
        length = headers.get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.max_body_bytes:
            await _too_large(scope, send, self.max_body_bytes)
            return

        received = 0

        async def limited_receive() -> Message:
            # Content-Length is optional (a chunked body has none) and may lie: count what
            # actually arrives, so no route reads more than the limit.
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    raise BodyTooLarge(self.max_body_bytes)
            return message

        cookies = _cookies(scope)
        session_cookie = session_cookie_name(secure=self.secure_cookies)
        anon_cookie = anon_cookie_name(secure=self.secure_cookies)
        private = _is_private(scope, cookies, session_cookie)
        new_anon: str | None = None
        binding = cookies.get(session_cookie) or cookies.get(anon_cookie)
        if not binding:
            new_anon = security.new_token()
            binding = new_anon
        scope.setdefault("state", {})["csrf_binding"] = binding

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                raw = message.setdefault("headers", [])
                if private and not _browser_only(raw):
                    raw[:] = [(n, v) for n, v in raw if n.lower() != b"cache-control"]
                    raw.append((b"cache-control", b"no-store"))
                present = {name.lower() for name, _ in raw}
                for name, value in self._headers():
                    if name not in present:
                        raw.append((name, value))
                if new_anon is not None:
                    cookie = f"{anon_cookie}={new_anon}; Path=/; HttpOnly; SameSite=Lax"
                    if self.secure_cookies:
                        cookie += "; Secure"
                    raw.append((b"set-cookie", cookie.encode()))
            await send(message)

        await self.app(scope, limited_receive, send_wrapper)

    def _headers(self) -> list[tuple[bytes, bytes]]:
        headers = [
            (b"content-security-policy", CSP.encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"x-frame-options", b"DENY"),
            (b"referrer-policy", b"same-origin"),
            (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=()"),
            (b"cross-origin-opener-policy", b"same-origin"),
        ]
        if self.secure_cookies:
            headers.append((b"strict-transport-security", b"max-age=31536000; includeSubDomains"))
        return headers


def _too_large_message(limit: int) -> str:
    return f"Berkas atau permintaan terlalu besar (maksimal {limit // (1024 * 1024)} MB)."


class BodyTooLarge(HTTPException):
    """The body grew past the limit while it was being read. An HTTPException, so FastAPI's
    body parsing passes it on and the application's error handler answers 413."""

    def __init__(self, limit: int) -> None:
        super().__init__(status_code=413, detail=_too_large_message(limit))


async def _too_large(scope: Scope, send: Send, limit: int) -> None:
    message = _too_large_message(limit)
    if scope["path"].startswith("/api/"):
        body = json.dumps({"detail": message}).encode()
        ctype = b"application/json"
    else:
        body = f"<!doctype html><html lang=id><title>Terlalu besar</title><p>{message}</p>".encode()
        ctype = b"text/html; charset=utf-8"
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", ctype), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})
