"""Who is on the other end of a request: the client's address.

`X-Forwarded-For` is believed only when the peer is a trusted proxy (CAKAP_TRUSTED_PROXIES);
otherwise anyone could name any address and spoil the audit log and the login throttle. The
address is kept for the request (scope state and a context variable) so that services, such
as the audit log, can record it without being handed the request."""

from __future__ import annotations

import ipaddress
from collections.abc import Awaitable, Callable, MutableMapping
from contextvars import ContextVar
from functools import lru_cache
from typing import Any

Scope = MutableMapping[str, Any]
ASGIApp = Callable[[Scope, Any, Any], Awaitable[None]]
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

_current: ContextVar[str | None] = ContextVar("cakap_client_address", default=None)


def current_address() -> str | None:
    """The address of the request being served in this context, if any."""
    return _current.get()


@lru_cache(maxsize=8)
def parse_networks(value: str) -> tuple[Network, ...]:
    """`127.0.0.1, 10.0.0.0/8` → networks; entries that are not addresses are ignored."""
    out: list[Network] = []
    for item in value.replace(";", ",").split(","):
        item = item.strip()
        if not item:
            continue
        try:
            out.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            continue
    return tuple(out)


def _is_trusted(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in networks)


def resolve(peer: str, forwarded_for: str | None, trusted: tuple[Network, ...]) -> str:
    """The client's address: the peer, unless the peer is a trusted proxy; then the right-most
    address of X-Forwarded-For that is not itself a trusted proxy (the left part is whatever
    the client claimed)."""
    if not forwarded_for or not _is_trusted(peer, trusted):
        return peer
    hops = [h.strip() for h in forwarded_for.split(",") if h.strip()]
    for hop in reversed(hops):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            return peer  # a malformed header: believe only what we saw
        if not _is_trusted(hop, trusted):
            return hop
    return hops[0] if hops else peer


class ClientAddressMiddleware:
    def __init__(self, app: ASGIApp, *, trusted_proxies: str) -> None:
        self.app = app
        self.trusted = parse_networks(trusted_proxies)

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        peer = client[0] if client else "unknown"
        forwarded = None
        for name, value in scope.get("headers", []):
            if name == b"x-forwarded-for":
                forwarded = value.decode("latin-1")[:1000]
                break
        address = resolve(peer, forwarded, self.trusted)[:64]
        scope.setdefault("state", {})["client_address"] = address
        token = _current.set(address)
        try:
            await self.app(scope, receive, send)
        finally:
            _current.reset(token)
