"""Learning gain per course, unit and objective equals the hand-computed figures
(tests/analytics/conftest.py lists the learners and their g)."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.analytics import gain
from tests.analytics.cohort import Cohort, attempt, bearer, enrol, unit_hr
from tests.conftest import QueryCounter, login
from tests.factories import UserFactory, World

URL = "/api/v1/courses/smart-governance/gain"


def _units(body: dict) -> dict[str | None, dict]:  # type: ignore[type-arg]
    return {u["unit"] or u["name"]: u for u in body["units"]}


def test_gain_equals_hand_computed_values_for_hr(
    client: TestClient, world: World, cohort: Cohort
) -> None:
    body = client.get(URL, headers=bearer(client, world.hr.nip or "")).json()
    # ani, budi, citra, dedi, eka, hana: both tests, our instansi (fajar has no post-test)
    assert body["learners"] == 6
    assert body["pre_mean"] == round((40 + 50 + 100 + 20 + 60 + 10) / 6, 2) == 46.67
    assert body["post_mean"] == round((82 + 60 + 90 + 60 + 48 + 55) / 6, 2) == 65.83
    # g of ani 0.7, budi 0.2, dedi 0.5, eka −0.3, hana 0.5 (citra: pre-test 100, undefined)
    assert body["gain_mean"] == 0.32
    assert body["category"] == "sedang"
    assert body["categories"] == {"tinggi": 1, "sedang": 2, "rendah": 2}
    assert body["perfect_pretest"] == 1


def test_units_roll_up_their_sub_units(client: TestClient, world: World, cohort: Cohort) -> None:
    body = client.get(URL, headers=bearer(client, world.hr.nip or "")).json()
    units = _units(body)
    total = units[world.instansi.name]
    assert (total["depth"], total["learners"], total["gain_mean"]) == (0, 6, 0.32)
    dinas = units["DINAS"]  # dinas itself (budi, citra) and its bidang (ani, eka)
    assert dinas["learners"] == 4
    assert dinas["pre_mean"] == 62.5 and dinas["post_mean"] == 70.0
    assert dinas["gain_mean"] == round((0.7 + 0.2 - 0.3) / 3, 2) == 0.2
    assert dinas["categories"] == {"tinggi": 1, "sedang": 0, "rendah": 2}
    assert dinas["perfect_pretest"] == 1
    bidang = units["DINAS.BID"]
    assert (bidang["learners"], bidang["depth"]) == (2, dinas["depth"] + 1)
    assert (bidang["pre_mean"], bidang["post_mean"], bidang["gain_mean"]) == (50.0, 65.0, 0.2)
    assert bidang["category"] == "rendah"
    assert units["KEC.SGP"]["learners"] == 1 and units["KEC.SGP"]["gain_mean"] == 0.5
    assert units["Tanpa unit kerja"]["learners"] == 1  # hana
    assert "Dinas Lain" not in {u["name"] for u in body["units"]}


def test_unit_filter_narrows_to_the_subtree(
    client: TestClient, world: World, cohort: Cohort
) -> None:
    body = client.get(URL + "?unit=DINAS", headers=bearer(client, world.hr.nip or "")).json()
    assert body["unit"] == "DINAS" and body["learners"] == 4 and body["gain_mean"] == 0.2
    assert [u["unit"] for u in body["units"]] == ["DINAS", "DINAS.BID"]
    missing = client.get(URL + "?unit=NOPE", headers=bearer(client, world.hr.nip or ""))
    assert missing.status_code == 404


def test_admin_sees_every_instansi_and_can_narrow_to_one(
    client: TestClient, world: World, cohort: Cohort
) -> None:
    h = bearer(client, world.admin.email or "")
    body = client.get(URL, headers=h).json()
    assert body["learners"] == 7 and body["categories"]["tinggi"] == 2  # gita too
    names = [u["name"] for u in body["units"] if u["depth"] == 0]
    assert set(names) == {world.instansi.name, world.other_instansi.name}
    # the unit code DINAS exists in both instansi: the admin names which
    assert client.get(URL + "?unit=DINAS", headers=h).status_code == 422
    one = client.get(URL + f"?instansi={world.other_instansi.code}&unit=DINAS", headers=h).json()
    assert one["learners"] == 1 and one["gain_mean"] == 1.0


def test_hr_of_another_instansi_sees_nothing_of_ours(
    client: TestClient, world: World, cohort: Cohort
) -> None:
    body = client.get(URL, headers=bearer(client, world.hr_other.nip or "")).json()
    assert body["learners"] == 1  # gita, her own
    assert {u["instansi"] for u in body["units"]} == {world.other_instansi.code}
    refused = client.get(
        URL + f"?instansi={world.instansi.code}", headers=bearer(client, world.hr_other.nip or "")
    )
    assert refused.status_code == 404


def test_hr_scoped_to_a_unit_sees_its_subtree_only(
    client: TestClient, session: Session, world: World, cohort: Cohort
) -> None:
    hr = unit_hr(session, world, cohort.bidang)
    session.commit()
    h = bearer(client, hr.nip or "")
    body = client.get(URL, headers=h).json()
    assert body["learners"] == 2  # ani, eka
    assert [u["unit"] for u in body["units"]] == ["DINAS.BID"]
    assert client.get(URL + "?unit=DINAS", headers=h).status_code == 404
    assert client.get(URL + "?unit=KEC.SGP", headers=h).status_code == 404


def test_learner_anonymous_and_a_trainer_not_teaching_the_course_are_refused(
    client: TestClient, world: World, cohort: Cohort
) -> None:
    assert client.get(URL).status_code == 401
    assert client.get(URL, headers=bearer(client, world.learner.nip or "")).status_code == 403
    # a trainer reads only the courses she teaches (issue 13); this one is not hers
    assert client.get(URL, headers=bearer(client, world.trainer.nip or "")).status_code == 404
    # not even whether a course exists
    missing = "/api/v1/courses/tidak-ada/gain"
    assert client.get(missing, headers=bearer(client, world.learner.nip or "")).status_code == 403


def test_year_is_that_of_the_last_post_test_in_wib(
    client: TestClient, session: Session, world: World, cohort: Cohort
) -> None:
    post = cohort.course.quiz_of_kind("posttest")
    assert post is not None
    key = post.questions[0].key
    ani, budi = cohort.enrollments["ani"], cohort.enrollments["budi"]
    june, new_year_eve = datetime(2025, 6, 1, tzinfo=UTC), datetime(2025, 12, 31, tzinfo=UTC)
    # ani's last post-test: 31 December 2025 18:00 UTC, which is 1 January 2026 in WIB
    attempt(session, ani, post.id, "posttest", 1, {key: False}, at=june)
    attempt(session, ani, post.id, "posttest", 2, {key: True}, at=new_year_eve.replace(hour=18))
    # budi's: 16:00 UTC, 23:00 WIB, still 2025
    attempt(session, budi, post.id, "posttest", 1, {key: True}, at=new_year_eve.replace(hour=16))
    session.commit()
    h = bearer(client, world.hr.nip or "")
    y2026 = client.get(URL + "?year=2026", headers=h).json()
    assert (y2026["year"], y2026["learners"], y2026["gain_mean"]) == (2026, 1, 0.7)
    y2025 = client.get(URL + "?year=2025", headers=h).json()
    assert (y2025["learners"], y2025["gain_mean"]) == (1, 0.2)
    assert client.get(URL + "?year=1900", headers=h).status_code == 422


def _objective_questions(cohort: Cohort) -> tuple[str, list[str], list[str]]:
    pre, post = cohort.course.quiz_of_kind("pretest"), cohort.course.quiz_of_kind("posttest")
    assert pre is not None and post is not None
    for module in cohort.course.modules:
        for objective in module.objectives:
            pre_keys = [q.key for q in pre.questions if q.objective == objective.id]
            post_keys = [q.key for q in post.questions if q.objective == objective.id]
            if len(pre_keys) >= 2 and len(post_keys) >= 2:
                return objective.id, pre_keys[:2], post_keys[:2]
    raise AssertionError("the shipped course has an objective measured twice in both tests")


def test_gain_per_objective_uses_the_pretest_and_the_best_posttest(
    client: TestClient, session: Session, world: World, cohort: Cohort
) -> None:
    objective, (q1, q2), (p1, p2) = _objective_questions(cohort)
    pre, post = cohort.course.quiz_of_kind("pretest"), cohort.course.quiz_of_kind("posttest")
    assert pre is not None and post is not None
    ani, budi = cohort.enrollments["ani"], cohort.enrollments["budi"]
    attempt(session, ani, pre.id, "pretest", 1, {q1: True, q2: False})  # 50 on the objective
    attempt(session, ani, post.id, "posttest", 1, {p1: False, p2: False})  # 0
    attempt(session, ani, post.id, "posttest", 2, {p1: True, p2: True})  # best: 100
    attempt(session, budi, pre.id, "pretest", 1, {q1: True, q2: True})  # 100: g undefined
    attempt(session, budi, post.id, "posttest", 1, {p1: True, p2: False})  # 50
    session.commit()
    body = client.get(URL, headers=bearer(client, world.hr.nip or "")).json()
    found = {o["id"]: o for o in body["objectives"]}
    assert set(found) == {objective}  # only questions that were asked count
    o = found[objective]
    assert (o["learners"], o["pre_mean"], o["post_mean"]) == (2, 75.0, 75.0)
    assert (o["gain_mean"], o["category"], o["perfect_pretest"]) == (1.0, "tinggi", 1)
    assert o["text"] and o["text"] != objective


def test_query_count_does_not_grow_with_learners_or_units(
    client: TestClient, session: Session, world: World, cohort: Cohort, queries: QueryCounter
) -> None:
    h = bearer(client, world.hr.nip or "")
    client.get(URL, headers=h)
    queries.count = 0
    assert client.get(URL, headers=h).status_code == 200
    before = queries.count
    for i in range(6):
        unit = cohort.bidang if i % 2 else cohort.dinas
        person = UserFactory(instansi_id=world.instansi.id, unit_id=unit.id)
        enrol(session, cohort.course, person, 10 * i, 50 + 5 * i)
    session.commit()
    queries.count = 0
    assert client.get(URL, headers=h).json()["learners"] == 12
    assert queries.count == before


def test_category_boundaries() -> None:
    assert gain.category(0.7) == "tinggi" and gain.category(42 / 60) == "tinggi"
    assert gain.category(0.3) == "sedang" and gain.category((43.33 - 19) / (100 - 19)) == "sedang"
    assert gain.category(0.2999) == "rendah" and gain.category(-1.5) == "rendah"
    assert gain.category(None) is None


def test_gain_page_shows_the_table_and_the_bars(
    client: TestClient, world: World, cohort: Cohort
) -> None:
    login(client, world.hr.nip or "")
    empty = client.get("/hr/reports/gain")
    assert empty.status_code == 200 and "Pilih kursus" in empty.text
    page = client.get("/hr/reports/gain?course=smart-governance")
    assert page.status_code == 200
    text = page.text
    assert "0,32" in text and "46,67" in text and "65,83" in text  # decimal comma
    assert "Bidang Uji" in text and "Dinas Lain" not in text
    assert 'class="gain-bar"' in text and "1 peserta mendapat nilai pre-test 100" in text
    assert 'href="/hr/reports/gain"' in text  # in the navigation
    narrowed = client.get("/hr/reports/gain?course=smart-governance&unit=DINAS.BID&year=")
    assert narrowed.status_code == 200 and "Dedi" not in narrowed.text
    assert client.get("/hr/reports/gain?course=smart-governance&unit=NOPE").status_code == 404


def test_gain_page_refuses_a_learner(client: TestClient, world: World, cohort: Cohort) -> None:
    login(client, world.learner.nip or "")
    assert client.get("/hr/reports/gain?course=smart-governance").status_code == 403


def test_admin_page_picks_an_instansi_and_refuses_an_unknown_one(
    client: TestClient, world: World, cohort: Cohort
) -> None:
    login(client, world.admin.email or "")
    page = client.get("/hr/reports/gain?course=smart-governance")
    assert page.status_code == 200
    assert (
        'id="f-instansi"' in page.text and "Dinas Lain" in page.text and "Bidang Uji" in page.text
    )
    one = client.get(f"/hr/reports/gain?course=smart-governance&instansi={world.instansi.code}")
    assert "Dinas Lain" not in one.text and 'id="f-unit"' in one.text
    unknown = client.get("/hr/reports/gain?course=smart-governance&instansi=0000")
    assert unknown.status_code == 404
