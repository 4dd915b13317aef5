"""Login throttling (PRODUCT.md §6, issue 9 item 9): per (account, address) pair."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.asn.nip import looks_like_nip
from tests.conftest import login
from tests.factories import PASSWORD, World, nip

WRONG = "salah-sekali-1"


@pytest.fixture
def elsewhere(app: Any) -> Iterator[TestClient]:
    """The account's owner, on another network."""
    with TestClient(app, base_url="http://testserver", client=("203.0.113.7", 50000)) as c:
        yield c


@pytest.fixture
def attacker(app: Any) -> Iterator[TestClient]:
    with TestClient(app, base_url="http://testserver", client=("198.51.100.9", 50000)) as c:
        yield c


def _token(client: TestClient, username: str, password: str) -> Any:
    return client.post("/api/v1/auth/token", json={"username": username, "password": password})


def test_an_attacker_cannot_lock_the_owner_out(
    attacker: TestClient, elsewhere: TestClient, world: World
) -> None:
    for _ in range(5):
        assert _token(attacker, world.learner.nip or "", WRONG).status_code == 401
    blocked = _token(attacker, world.learner.nip or "", PASSWORD)
    assert blocked.status_code == 429
    assert 0 < int(blocked.headers["retry-after"]) <= 15 * 60
    # The owner, from her own address, gets in at once, on the API and the page.
    assert _token(elsewhere, world.learner.nip or "", PASSWORD).status_code == 200
    assert login(elsewhere, world.learner.nip or "").status_code == 303


def test_the_pair_is_the_account_whatever_name_is_typed(attacker: TestClient, world: World) -> None:
    for i in range(5):
        name = world.learner.email if i % 2 else world.learner.nip
        assert _token(attacker, name or "", WRONG).status_code == 401
    assert _token(attacker, world.learner.email or "", PASSWORD).status_code == 429


def test_forwarded_for_is_believed_only_from_a_trusted_proxy(
    app: Any, attacker: TestClient, world: World
) -> None:
    # The attacker claims a new address with each try: not believed from an untrusted peer.
    for i in range(5):
        spoofed = {"X-Forwarded-For": f"10.0.0.{i}"}
        answer = attacker.post(
            "/api/v1/auth/token",
            json={"username": world.learner.nip, "password": WRONG},
            headers=spoofed,
        )
        assert answer.status_code == 401
    assert _token(attacker, world.learner.nip or "", PASSWORD).status_code == 429
    # Behind the trusted proxy (127.0.0.1), the forwarded address is the client's.
    with TestClient(app, base_url="http://testserver", client=("127.0.0.1", 1)) as proxy:
        for _ in range(5):
            proxy.post(
                "/api/v1/auth/token",
                json={"username": world.learner2.nip, "password": WRONG},
                headers={"X-Forwarded-For": "192.0.2.1"},
            )
        other_client = proxy.post(
            "/api/v1/auth/token",
            json={"username": world.learner2.nip, "password": PASSWORD},
            headers={"X-Forwarded-For": "192.0.2.2"},
        )
        assert other_client.status_code == 200


def test_only_failures_count(attacker: TestClient, world: World) -> None:
    for _ in range(8):
        assert _token(attacker, world.learner.nip or "", PASSWORD).status_code == 200
    for _ in range(4):
        assert _token(attacker, world.learner.nip or "", WRONG).status_code == 401
    assert _token(attacker, world.learner.nip or "", PASSWORD).status_code == 200
    # A success forgets the pair's failures: four more do not lock it.
    for _ in range(4):
        assert _token(attacker, world.learner.nip or "", WRONG).status_code == 401
    assert _token(attacker, world.learner.nip or "", PASSWORD).status_code == 200


def test_an_unknown_nip_is_answered_exactly_like_a_known_one(
    attacker: TestClient, world: World
) -> None:
    unknown = nip()
    assert looks_like_nip(unknown) and unknown != world.learner.nip
    answers: dict[str, list[Any]] = {}
    for name in (world.learner.nip or "", unknown):
        answers[name] = [_token(attacker, name, WRONG) for _ in range(6)]
    known, other = answers[world.learner.nip or ""], answers[unknown]
    assert [a.status_code for a in known] == [401] * 5 + [429]
    assert [a.status_code for a in other] == [a.status_code for a in known]
    assert [a.json() for a in other] == [a.json() for a in known]
