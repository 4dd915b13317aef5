import pytest
from fastapi.testclient import TestClient

from tests.conftest import QueryCounter, login
from tests.factories import World

pytestmark = pytest.mark.usefixtures("courses_imported")


def test_catalogue_lists_the_three_shipped_courses(client: TestClient, world: World) -> None:
    login(client, world.learner.nip or "")
    page = client.get("/courses")
    assert page.status_code == 200
    for title in (
        "Smart Governance dan Peran ASN",
        "Literasi Digital bagi ASN",
        "Pengambilan Keputusan Berbasis Data",
    ):
        assert title in page.text
    assert "3 kursus ditemukan" in page.text


def test_catalogue_search_and_filters(client: TestClient, world: World) -> None:
    login(client, world.learner.nip or "")
    found = client.get("/courses", params={"q": "literasi"})
    assert "1 kursus ditemukan" in found.text and "Literasi Digital bagi ASN" in found.text
    by_area = client.get("/courses", params={"area": "data"})
    assert (
        "1 kursus ditemukan" in by_area.text
        and "Pengambilan Keputusan Berbasis Data" in by_area.text
    )
    nothing = client.get("/courses", params={"q": "zzz-tidak-ada"})
    assert "Tidak ada kursus yang cocok" in nothing.text
    bogus = client.get("/courses", params={"area": "<script>"})
    assert bogus.status_code == 200 and "<script>" not in bogus.text


def test_course_page_shows_modules_lessons_jp_and_tests(client: TestClient, world: World) -> None:
    login(client, world.learner.nip or "")
    page = client.get("/courses/literasi-digital")
    assert page.status_code == 200
    assert "7 JP" in page.text
    assert "Pre-test" in page.text and "Post-test" in page.text
    assert "Modul 1." in page.text
    assert "Rujukan" in page.text


def test_unknown_course_is_a_friendly_404(client: TestClient, world: World) -> None:
    login(client, world.learner.nip or "")
    page = client.get("/courses/tidak-ada")
    assert page.status_code == 404
    assert "Kursus tidak ditemukan" in page.text


def test_catalogue_and_course_page_use_a_fixed_number_of_queries(
    client: TestClient, world: World, queries: QueryCounter
) -> None:
    login(client, world.learner.nip or "")
    client.get("/courses")
    queries.count = 0
    client.get("/courses/literasi-digital")
    cold = queries.count  # the outline is read once per process, then kept (versions never change)
    queries.count = 0
    client.get("/courses")
    catalogue = queries.count
    queries.count = 0
    client.get("/courses/literasi-digital")
    course = queries.count
    assert catalogue <= 4, queries.statements
    # 6: one of them asks whether the course is assigned to her (she is not enrolled yet);
    # an assigned course is enrolled on her first visit (app/assignments).
    assert course <= 6, queries.statements
    assert cold <= course + 6


def test_api_courses_and_outline_shapes(client: TestClient, world: World) -> None:
    token = client.post(
        "/api/v1/auth/token", json={"username": world.learner.nip, "password": "Rahasia-Uji-123"}
    ).json()
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    courses = client.get("/api/v1/courses", headers=headers).json()
    assert {c["slug"] for c in courses} == {
        "smart-governance",
        "literasi-digital",
        "keputusan-berbasis-data",
    }
    assert sum(c["jp"] for c in courses) == 20
    assert all({"slug", "code", "title", "jp", "version"} <= set(c) for c in courses)

    outline = client.get("/api/v1/courses/smart-governance", headers=headers).json()
    assert {"slug", "title", "jp", "modules", "quizzes"} <= set(outline)
    lesson = outline["modules"][0]["lessons"][0]
    assert {"id", "slug", "title", "completed"} <= set(lesson)
    kinds = {q["kind"] for q in outline["quizzes"]}
    assert {"pretest", "posttest"} <= kinds
    assert "correct" not in str(outline)
    assert client.get("/api/v1/courses/tidak-ada", headers=headers).status_code == 404
