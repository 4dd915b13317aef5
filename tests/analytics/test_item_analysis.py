"""Item analysis equals the figures computed by hand from the fixed attempts of
tests/analytics/items_data.py (read its docstring for the papers and the ranking)."""

from __future__ import annotations

from fractions import Fraction

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.analytics import items
from tests.analytics import items_data
from tests.analytics.cohort import bearer
from tests.analytics.items_data import Q1, Q2, Q3, Q4, ItemData
from tests.conftest import QueryCounter, login
from tests.factories import World

URL = "/api/v1/courses/smart-governance/item-analysis"
PAGE = "/trainer/courses/smart-governance/items"


@pytest.fixture
def data(session: Session, world: World, courses_imported: None) -> ItemData:
    return items_data.build(session)


def _by_id(body: dict) -> dict[str, dict]:  # type: ignore[type-arg]
    return {q["id"]: q for q in body["questions"]}


def _picked(question: dict) -> dict[str, int]:  # type: ignore[type-arg]
    return {c["id"]: c["picked"] for c in question["choices"]}


def test_item_analysis_equals_hand_computed_figures(
    client: TestClient, world: World, data: ItemData
) -> None:
    body = client.get(URL, headers=bearer(client, world.admin.email or "")).json()
    assert body["quiz"] == "posttest" and body["version"] == data.course.number
    assert body["attempts"] == 11  # A12 is still in progress
    q = _by_id(body)

    # Q1 on all 11 papers: right in A1–A6 and A8 → P = 7/11 = 0.636 → 0.64 sedang.
    # k = 27% of 11 = 2.97 → 3: upper A1 A2 A3 (A4, also 80, has a later id), right 3/3;
    # lower A9 A10 A11 (A8, also 30, has an earlier id and stays out), right 0/3.
    # D = 3/3 − 0/3 = 1.00 baik sekali.
    one = q[Q1]
    assert (one["attempts"], one["correct"], one["group"]) == (11, 7, 3)
    assert (one["upper_correct"], one["lower_correct"]) == (3, 0)
    assert (one["difficulty"], one["discrimination"]) == (0.64, 1.0)
    assert (one["difficulty_category"], one["discrimination_category"]) == ("sedang", "baik_sekali")
    assert one["flags"] == []
    # picked: "1" by A7 and A10, "2" by seven, "3" by A9; A11 left it blank
    assert _picked(one) == {"1": 2, "2": 7, "3": 1, "4": 0}
    assert one["unanswered"] == 1
    assert [c["correct"] for c in one["choices"]] == [False, True, False, False]

    # Q2 drawn onto 6 papers only (A1 A3 A5 A7 A9 A11): right in A5 A9 A11 → P = 3/6 = 0.50.
    # k = 27% of 6 = 1.62 → 2: upper A1 A3 right 0/2, lower A9 A11 right 2/2 → D = −1.00.
    two = q[Q2]
    assert (two["attempts"], two["correct"], two["group"]) == (6, 3, 2)
    assert (two["difficulty"], two["discrimination"]) == (0.5, -1.0)
    assert (two["difficulty_category"], two["discrimination_category"]) == ("sedang", "negatif")
    assert two["flags"] == ["daya_beda_negatif"]
    assert _picked(two) == {"1": 1, "2": 0, "3": 3, "4": 2}

    # Q3 (multiple) on 11 papers: A2 picked 2 of the 3 right choices (partial = wrong), A11
    # picked "3" → right 9/11 = 0.818 → 0.82 mudah. Upper A1 ✓ A2 ✗ A3 ✓ = 2/3, lower A9 ✓
    # A10 ✓ A11 ✗ = 2/3 → D = 0.00 jelek. (Had A4 ranked above A2, D would be 1/3.)
    three = q[Q3]
    assert (three["correct"], three["upper_correct"], three["lower_correct"]) == (9, 2, 2)
    assert (three["difficulty"], three["discrimination"]) == (0.82, 0.0)
    assert (three["difficulty_category"], three["discrimination_category"]) == ("mudah", "jelek")
    assert three["flags"] == ["terlalu_mudah", "daya_beda_rendah"]
    # "1" and "2": the 9 right answers and A2's partial one; "4": the 9 right ones
    assert _picked(three) == {"1": 10, "2": 10, "3": 1, "4": 9, "5": 0}

    # Q4 (truefalse, answer false): right in A1 and A4 → P = 2/11 = 0.18 sukar.
    # Upper A1 ✓ A2 ✗ A3 ✗ = 1/3, lower 0/3 → D = 1/3 = 0.33 cukup. A6 left it blank.
    four = q[Q4]
    assert (four["correct"], four["difficulty"], four["discrimination"]) == (2, 0.18, 0.33)
    assert (four["difficulty_category"], four["discrimination_category"]) == ("sukar", "cukup")
    assert four["flags"] == ["terlalu_sukar"]
    assert _picked(four) == {"true": 8, "false": 2}
    assert four["unanswered"] == 1

    # in the pool, on no paper: no figures, no flag
    never = q["sg-post-03"]
    assert (never["attempts"], never["difficulty"], never["discrimination"]) == (0, None, None)
    assert never["flags"] == [] and sum(_picked(never).values()) == 0


def test_group_size_is_27_percent_rounded_half_up_and_at_least_one() -> None:
    # 0.27 × n: 0.27, 0.54, 0.81, 1.08, 1.62, 2.97, 3.51, 27.0
    sizes = {n: items.group_size(n) for n in (1, 2, 3, 4, 6, 11, 13, 100)}
    assert sizes == {1: 1, 2: 1, 3: 1, 4: 1, 6: 2, 11: 3, 13: 4, 100: 27}
    assert items.group_size(0) == 0


def test_category_boundaries_belong_to_the_middle_or_better_category() -> None:
    f = Fraction
    assert [items.difficulty_category(f(p, 100)) for p in (29, 30, 70, 71)] == [
        "sukar",
        "sedang",
        "sedang",
        "mudah",
    ]
    assert [items.discrimination_category(f(d, 100)) for d in (-1, 0, 19, 20, 40, 70, 71)] == [
        "negatif",
        "jelek",
        "jelek",
        "cukup",
        "baik",
        "baik",
        "baik_sekali",
    ]
    assert items.flags(f(7, 10), f(1, 5)) == ()  # on both boundaries: kept
    assert items.flags(f(71, 100), f(0)) == ("terlalu_mudah", "daya_beda_rendah")


def test_pretest_has_its_own_analysis_and_an_unknown_version_is_404(
    client: TestClient, world: World, data: ItemData
) -> None:
    h = bearer(client, world.admin.email or "")
    pre = client.get(URL + "?quiz=pretest", headers=h).json()
    assert pre["quiz"] == "pretest" and pre["attempts"] == 0
    assert client.get(URL + "?version=99", headers=h).status_code == 404
    assert client.get(URL + "?quiz=module", headers=h).status_code == 422


def test_item_analysis_reads_a_fixed_number_of_queries(
    client: TestClient, session: Session, world: World, data: ItemData, queries: QueryCounter
) -> None:
    h = bearer(client, world.admin.email or "")
    client.get(URL, headers=h)
    queries.count = 0
    assert client.get(URL, headers=h).status_code == 200
    few = queries.count
    for name in ("B1", "B2", "B3"):  # more attempts must not mean more queries
        items_data.add(session, data.course, name, 55, {Q1: "2", Q3: ["5"], Q4: True})
    session.commit()
    queries.count = 0
    assert client.get(URL, headers=h).json()["attempts"] == 14
    assert queries.count == few


def test_hr_learner_and_anonymous_are_refused_and_a_trainer_of_another_course_gets_404(
    client: TestClient, world: World, data: ItemData
) -> None:
    assert client.get(URL).status_code == 401
    assert client.get(URL, headers=bearer(client, world.hr.nip or "")).status_code == 403
    assert client.get(URL, headers=bearer(client, world.learner.nip or "")).status_code == 403
    assert client.get(URL, headers=bearer(client, world.trainer.nip or "")).status_code == 404


def test_item_page_shows_figures_categories_and_flags(
    client: TestClient, world: World, data: ItemData
) -> None:
    login(client, world.admin.email or "")
    page = client.get(PAGE)
    assert page.status_code == 200
    html = page.text
    assert "Analisis Butir Soal" in html and "11 percobaan" in html
    assert "0,64" in html and "Baik sekali" in html and "-1,00" in html
    assert "Daya beda negatif" in html and "Terlalu mudah" in html and "Terlalu sukar" in html
    assert "<svg" in html
    assert client.get(PAGE + "?quiz=pretest").status_code == 200


def test_item_page_is_refused_to_hr_learner_anonymous_and_other_trainers(
    client: TestClient, world: World, data: ItemData
) -> None:
    assert client.get(PAGE, follow_redirects=False).status_code in (303, 403)
    for person in (world.hr, world.learner):
        client.cookies.clear()
        login(client, person.nip or "")
        assert client.get(PAGE).status_code == 403
    client.cookies.clear()
    login(client, world.trainer.nip or "")
    assert client.get(PAGE).status_code == 404
