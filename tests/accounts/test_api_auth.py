from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.accounts import service as accounts
from tests.conftest import form_token, login
from tests.factories import PASSWORD, World


def token_for(client: TestClient, username: str, password: str = PASSWORD) -> str:
    response = client.post("/api/v1/auth/token", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "bearer" and body["expires_in"] > 0
    return str(body["access_token"])


def test_token_then_me(client: TestClient, world: World) -> None:
    token = token_for(client, world.learner.nip or "")
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
    body = me.json()
    assert body["nip"] == world.learner.nip
    assert body["roles"] == ["learner"]
    assert body["instansi"] == "3206"
    assert body["unit"] == "KEC.SGP"
    assert body["jp_this_year"] == 0


def test_wrong_password_is_a_json_401(client: TestClient, world: World) -> None:
    response = client.post(
        "/api/v1/auth/token", json={"username": world.learner.nip, "password": "x"}
    )
    assert response.status_code == 401
    assert "detail" in response.json()


def test_api_without_token_is_401_json(client: TestClient) -> None:
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json() == {"detail": "Autentikasi diperlukan."}


def test_bearer_token_dies_with_deactivation(
    client: TestClient, session: Session, world: World
) -> None:
    token = token_for(client, world.learner.nip or "")
    accounts.set_active(session, user=world.learner, active=False, actor=world.admin)
    session.commit()
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_session_cookie_writes_to_the_api_need_the_csrf_header(
    client: TestClient, world: World
) -> None:
    login(client, world.hr.nip or "")
    token = form_token(client, "/account")
    files = {"file": ("a.csv", b"nip,nama\n", "text/csv")}
    assert client.post("/api/v1/people/import", files=files).status_code == 403
    files = {"file": ("a.csv", b"nip,nama\n", "text/csv")}
    ok = client.post("/api/v1/people/import", files=files, headers={"X-CSRF-Token": token})
    assert ok.status_code == 200


def test_hr_personal_token_works_and_can_be_revoked(client: TestClient, world: World) -> None:
    login(client, world.hr.nip or "")
    token = form_token(client, "/account")
    page = client.post("/account/tokens", data={"csrf_token": token, "name": "Laporan SIASN"})
    assert page.status_code == 200
    personal = page.text.split('<code class="token">')[1].split("<")[0]
    assert (
        client.get("/api/v1/me", headers={"Authorization": f"Bearer {personal}"}).status_code == 200
    )


def test_learner_cannot_create_personal_tokens(client: TestClient, world: World) -> None:
    login(client, world.learner.nip or "")
    token = form_token(client, "/account")
    assert (
        client.post("/account/tokens", data={"csrf_token": token, "name": "x"}).status_code == 403
    )


def test_openapi_document_lists_the_api(client: TestClient) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    for path in (
        "/api/v1/auth/token",
        "/api/v1/me",
        "/api/v1/courses",
        "/api/v1/courses/{slug}",
        "/api/v1/people/import",
    ):
        assert path in spec["paths"], path
