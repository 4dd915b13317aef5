"""Pages travel gzip-compressed (ISA-L's deflate), and decompress to exactly the page."""

from __future__ import annotations

import gzip

import httpx
from fastapi.testclient import TestClient

from app.core import compression
from tests.conftest import login
from tests.factories import World


def test_a_page_is_gzip_that_any_client_can_read(client: TestClient, world: World) -> None:
    login(client, world.learner.nip or "")
    plain = client.get("/account", headers={"Accept-Encoding": "identity"})
    # httpx would decompress for us: read the raw bytes off the wire instead.
    with client.stream("GET", "/account", headers={"Accept-Encoding": "gzip"}) as packed:
        raw = b"".join(packed.iter_raw())
        assert packed.headers["content-encoding"] == "gzip"
        assert "accept-encoding" in packed.headers["vary"].lower()
    assert "content-encoding" not in plain.headers
    assert gzip.decompress(raw) == plain.content
    assert len(raw) < len(plain.content)


def test_the_compressor_is_isal() -> None:
    async def app(scope: object, receive: object, send: object) -> None:
        raise AssertionError("not called")

    responder = compression._IsalResponder(app, 500)  # type: ignore[arg-type]
    assert type(responder.compressor).__module__.startswith("isal")


def test_small_answers_are_sent_as_they_are(client: TestClient) -> None:
    answer = client.get("/healthz", headers={"Accept-Encoding": "gzip"})
    assert answer.status_code == 200
    assert "content-encoding" not in answer.headers
    assert isinstance(answer, httpx.Response)
