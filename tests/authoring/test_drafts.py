"""Drafts in the browser (issue 14, items 1, 4, 5): a trainer opens a draft of a course she
teaches, fixes a lesson, previews it, adds a question, sees the diff and publishes version N+1
with a change note; a second editor's stale save is refused and nothing is lost; nobody else
sees a draft; a draft with problems or changed since its review is not published."""

from __future__ import annotations

import re
import threading
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.authoring import drafts
from app.authoring import repository as drafts_repository
from app.completion import service as completion
from app.core.db import Database
from app.courses import service as courses
from app.courses import teaching
from app.learning import service as learning
from app.models import (
    AuditEvent,
    Course,
    CourseDraft,
    CourseDraftFile,
    CourseVersion,
    Enrollment,
    User,
)
from tests import factories
from tests.conftest import csrf_from, form_token, login
from tests.courses.course_builder import SLUG, build_course
from tests.factories import UserFactory, World
from tests.learning.helpers import take_pretest
from tests.learning.test_races import _parallel

LESSON = "02-modul-2/01-pelajaran.md"


def _open(client: TestClient, world: World) -> str:
    login(client, world.trainer.nip or "")
    token = form_token(client, "/trainer/drafts")
    opened = client.post(
        f"/trainer/courses/{SLUG}/draft", data={"csrf_token": token}, follow_redirects=False
    )
    assert opened.status_code == 303, opened.text
    return str(opened.headers["location"])


def _editor(client: TestClient, draft_url: str, path: str) -> tuple[str, int, str]:
    page = client.get(f"{draft_url}/file", params={"path": path})
    assert page.status_code == 200, page.text
    revision = re.search(r'name="revision" value="(\d+)"', page.text)
    assert revision
    return csrf_from(page.text), int(revision.group(1)), page.text


def _save_lesson(
    client: TestClient, draft_url: str, *, csrf: str, revision: int, body: str, action: str = "save"
) -> object:
    return client.post(
        f"{draft_url}/file",
        data={
            "csrf_token": csrf,
            "path": LESSON,
            "revision": str(revision),
            "action": action,
            "title": "Pelajaran yang Diperbaiki",
            "minutes": "45",
            "video_url": "",
            "body": body,
        },
        follow_redirects=False,
    )


def _draft_text(session: Session, path: str) -> str:
    session.expire_all()
    item = session.scalar(select(CourseDraftFile).where(CourseDraftFile.path == path))
    assert item is not None
    return bytes(item.content).decode()


def test_fix_a_lesson_preview_add_a_question_and_publish_version_2(
    client: TestClient, session: Session, world: World, course: Course
) -> None:
    # A learner has finished two lessons of version 1.
    version = courses.published_course(session, slug=SLUG)
    enrollment = learning.enrol(session, user=world.learner, version=version)
    session.flush()
    take_pretest(session, enrollment)
    for module, lesson in version.lessons():
        completion.complete_lesson(
            session, enrollment=enrollment, version=version, module=module, lesson=lesson
        )
    session.commit()

    draft_url = _open(client, world)
    csrf, revision, page = _editor(client, draft_url, LESSON)
    assert "Isi pelajaran." in page

    # Pratinjau renders through the sanitiser and saves nothing.
    body = "## Bagian baru\n\nIsi yang **diperbaiki**.\n\n<script>alert(1)</script>\n"
    preview = _save_lesson(
        client, draft_url, csrf=csrf, revision=revision, body=body, action="preview"
    )
    assert preview.status_code == 200  # type: ignore[attr-defined]
    assert "<h2>Bagian baru</h2>" in preview.text  # type: ignore[attr-defined]
    assert "<strong>diperbaiki</strong>" in preview.text  # type: ignore[attr-defined]
    assert "<script>alert" not in preview.text  # type: ignore[attr-defined]
    assert "Isi pelajaran." in _draft_text(session, LESSON)
    live = client.post(f"{draft_url}/preview", data={"csrf_token": csrf, "body": body})
    assert live.status_code == 200 and "<strong>diperbaiki</strong>" in live.text
    assert "<script" not in live.text

    saved = _save_lesson(client, draft_url, csrf=csrf, revision=revision, body=body)
    assert saved.status_code == 303  # type: ignore[attr-defined]
    assert "Isi yang **diperbaiki**." in _draft_text(session, LESSON)

    # A new post-test question; its id is new.
    form = client.get(f"{draft_url}/question", params={"path": "posttest.yaml"})
    assert form.status_code == 200
    quiz_revision = re.search(r'name="revision" value="(\d+)"', form.text)
    assert quiz_revision
    added = client.post(
        f"{draft_url}/question",
        data={
            "csrf_token": csrf_from(form.text),
            "path": "posttest.yaml",
            "id": "",
            "revision": quiz_revision.group(1),
            "action": "save",
            "type": "single",
            "text": "Manakah yang merupakan data terbuka?",
            "choice": ["Data yang dapat diakses publik", "Data pribadi pegawai", ""],
            "correct": ["0"],
            "explanation": "Data terbuka dapat diakses dan dipakai ulang oleh publik.",
            "objective": "tc-m2-o1",
        },
        follow_redirects=False,
    )
    assert added.status_code == 303, added.text
    posttest = _draft_text(session, "posttest.yaml")
    assert "Manakah yang merupakan data terbuka?" in posttest
    used = drafts_repository.question_keys_ever(session, course.id)
    new_ids = set(re.findall(r"id: ([a-z0-9_-]+)", posttest)) - used
    assert len(new_ids) == 1

    # The diff, then Terbitkan with a change note.
    review = client.get(f"{draft_url}/publish")
    assert review.status_code == 200
    assert "+Isi yang **diperbaiki**." in review.text.replace("&#34;", '"')
    assert "-Isi pelajaran." in review.text
    stamp = re.search(r'name="stamp" value="([0-9a-f]+)"', review.text)
    assert stamp
    published = client.post(
        f"{draft_url}/publish",
        data={
            "csrf_token": csrf_from(review.text),
            "stamp": stamp.group(1),
            "change_note": "Memperbaiki Pelajaran 2.1 dan menambah satu soal post-test.",
        },
        follow_redirects=False,
    )
    assert published.status_code == 303, published.text
    session.expire_all()
    refreshed = session.scalar(select(Course).where(Course.slug == SLUG))
    assert refreshed is not None and refreshed.current_version is not None
    v2 = refreshed.current_version
    assert v2.number == 2
    assert v2.change_note == "Memperbaiki Pelajaran 2.1 dan menambah satu soal post-test."
    assert v2.published_by_id == world.trainer.id
    assert session.scalar(select(CourseDraft)) is None  # the draft is gone
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "course.published"))
    assert event is not None and event.actor_id == world.trainer.id

    # The learner's two lessons are still done on version 2.
    login(client, world.learner.nip or "")
    visit = client.get(f"/courses/{SLUG}")
    assert visit.status_code == 200
    session.expire_all()
    moved = session.get(Enrollment, enrollment.id)
    assert moved is not None and moved.version_id == v2.id
    assert "2 dari 2 pelajaran selesai" in client.get(f"/courses/{SLUG}").text
    lesson = client.get(f"/courses/{SLUG}/lessons/modul-2/pelajaran")
    assert lesson.status_code == 200 and "<strong>diperbaiki</strong>" in lesson.text


def test_a_stale_save_is_refused_with_the_difference_and_nothing_is_lost(
    client: TestClient, session: Session, world: World, course: Course
) -> None:
    second = UserFactory(roles=("trainer",), instansi_id=world.instansi.id)
    teaching.assign_trainer(session, course=course, user=second, actor=None)
    session.commit()
    draft_url = _open(client, world)
    csrf, revision, _ = _editor(client, draft_url, LESSON)

    # The other trainer opened the same revision and saves first.
    other = TestClient(client.app)
    login(other, second.nip or "")
    other_csrf, other_revision, _ = _editor(other, draft_url, LESSON)
    assert other_revision == revision
    first = _save_lesson(other, draft_url, csrf=other_csrf, revision=revision, body="Teks rekan.\n")
    assert first.status_code == 303  # type: ignore[attr-defined]

    late = _save_lesson(client, draft_url, csrf=csrf, revision=revision, body="Teks saya.\n")
    assert late.status_code == 409  # type: ignore[attr-defined]
    text = late.text  # type: ignore[attr-defined]
    assert "sudah diubah oleh penyunting lain" in text
    assert "Teks saya." in text  # still in her textarea
    assert "-Teks rekan." in text and "+Teks saya." in text  # the difference shown
    assert "Teks rekan." in _draft_text(session, LESSON)  # the first save kept

    # Saving again from the revision the refusal gave her is her deliberate choice.
    newer = re.search(r'name="revision" value="(\d+)"', text)
    assert newer and int(newer.group(1)) == revision + 1
    again = _save_lesson(
        client, draft_url, csrf=csrf, revision=int(newer.group(1)), body="Teks saya.\n"
    )
    assert again.status_code == 303  # type: ignore[attr-defined]
    assert "Teks saya." in _draft_text(session, LESSON)


def test_concurrent_saves_of_one_revision_let_exactly_one_through(
    real_database: Database, tmp_path: Path
) -> None:
    """Eight editors save the same revision at once, each in its own transaction on a real
    database (the request path's unit of work): one wins, seven are refused, the file holds
    the winner's text."""
    with real_database.unit_of_work() as s:
        courses.import_courses(s, path=build_course(tmp_path))
        factories.bind(s)
        inst = factories.InstansiFactory(code="3206")
        trainer = factories.UserFactory(roles=("trainer",), instansi_id=inst.id)
        found = s.scalar(select(Course).where(Course.slug == SLUG))
        assert found is not None
        teaching.assign_trainer(s, course=found, user=trainer, actor=None)
        draft, _ = drafts.open_draft(s, course=found, actor=trainer)
        item = drafts_repository.draft_file(s, draft.id, LESSON)
        assert item is not None
        draft_id, trainer_id, start = draft.id, trainer.id, item.revision

    def edit(n: int) -> str:
        try:
            with real_database.unit_of_work() as own:
                mine = own.get(CourseDraft, draft_id)
                actor = own.get(User, trainer_id)
                assert mine is not None and actor is not None
                drafts.save(
                    own, draft=mine, path=LESSON, text=f"teks {n}\n", revision=start, actor=actor
                )
            return f"saved {n}"
        except drafts.StaleSave:
            return "stale"

    counter = iter(range(8))
    lock = threading.Lock()

    def work() -> str:
        with lock:
            n = next(counter)
        return edit(n)

    outcomes = _parallel(8, work)
    winners = [o for o in outcomes if o.startswith("saved")]
    assert len(winners) == 1 and outcomes.count("stale") == 7, outcomes
    with real_database.unit_of_work() as s:
        saved = drafts_repository.draft_file(s, draft_id, LESSON)
        assert saved is not None and saved.revision == start + 1
        assert bytes(saved.content).decode() == f"teks {winners[0].split()[1]}\n"


def test_nobody_else_sees_or_changes_a_draft(
    client: TestClient, session: Session, world: World, course: Course
) -> None:
    draft_url = _open(client, world)
    outsider = UserFactory(roles=("trainer",), instansi_id=world.instansi.id)
    session.commit()
    for who in (outsider.nip, world.learner.nip, world.hr.nip):
        other = TestClient(client.app)
        login(other, who or "")
        for path in ("", "/publish", f"/file?path={LESSON}", "/quiz?path=posttest.yaml"):
            assert other.get(f"{draft_url}{path}").status_code == 403, (who, path)
        token = form_token(other, "/account")
        refused = other.post(
            f"{draft_url}/file",
            data={"csrf_token": token, "path": LESSON, "revision": "1", "body": "x"},
        )
        assert refused.status_code == 403
    assert client.get("/trainer/drafts/999999").status_code == 404
    # Learners keep the published version while the draft exists.
    assert "Isi pelajaran." in _draft_text(session, LESSON)


def test_a_draft_with_problems_is_not_published_and_the_problem_is_shown_on_its_file(
    client: TestClient, session: Session, world: World, course: Course
) -> None:
    draft_url = _open(client, world)
    csrf, revision, _ = _editor(client, draft_url, "course.yaml")
    text = _draft_text(session, "course.yaml").replace("jp: 2", "jp: 5")
    saved = client.post(
        f"{draft_url}/file",
        data={"csrf_token": csrf, "path": "course.yaml", "revision": str(revision), "text": text},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    editor = client.get(f"{draft_url}/file", params={"path": "course.yaml"})
    assert "masalah" in editor.text and "baris" in editor.text
    review = client.get(f"{draft_url}/publish")
    assert "Belum dapat diterbitkan" in review.text and 'name="stamp"' not in review.text
    stamp = drafts.stamp(drafts_repository.draft_files(session, _draft_id(session)))
    refused = client.post(
        f"{draft_url}/publish",
        data={"csrf_token": csrf_from(review.text), "stamp": stamp, "change_note": "Ubah JP."},
    )
    assert refused.status_code == 409
    session.expire_all()
    assert session.scalar(select(CourseVersion.number).order_by(CourseVersion.number.desc())) == 1


def test_a_draft_changed_after_its_review_is_not_published(
    client: TestClient, session: Session, world: World, course: Course
) -> None:
    draft_url = _open(client, world)
    csrf, revision, _ = _editor(client, draft_url, LESSON)
    _save_lesson(client, draft_url, csrf=csrf, revision=revision, body="Versi pertama.\n")
    review = client.get(f"{draft_url}/publish")
    stamp = re.search(r'name="stamp" value="([0-9a-f]+)"', review.text)
    assert stamp
    _save_lesson(client, draft_url, csrf=csrf, revision=revision + 1, body="Versi kedua.\n")
    refused = client.post(
        f"{draft_url}/publish",
        data={
            "csrf_token": csrf_from(review.text),
            "stamp": stamp.group(1),
            "change_note": "Memperbaiki pelajaran.",
        },
    )
    assert refused.status_code == 409 and "Draf berubah sejak" in refused.text
    session.expire_all()
    assert session.scalar(select(CourseVersion.number).order_by(CourseVersion.number.desc())) == 1


def test_a_new_course_from_the_starter_draft_publishes_and_its_author_teaches_it(
    client: TestClient, session: Session, world: World
) -> None:
    login(client, world.trainer.nip or "")
    token = form_token(client, "/trainer/drafts")
    bad = client.post(
        "/trainer/drafts/new",
        data={"csrf_token": token, "slug": "Bukan Slug", "code": "x", "title": "Ab"},
    )
    assert bad.status_code == 422
    assert bad.text.count('class="field-error"') == 3
    made = client.post(
        "/trainer/drafts/new",
        data={"csrf_token": token, "slug": "etika-ai-asn", "code": "ETIKA-AI", "title": "Etika AI"},
        follow_redirects=False,
    )
    assert made.status_code == 303
    draft_url = str(made.headers["location"])
    review = client.get(f"{draft_url}/publish")
    assert review.status_code == 200 and "Berkas kursus baru" in review.text
    stamp = re.search(r'name="stamp" value="([0-9a-f]+)"', review.text)
    assert stamp, review.text
    done = client.post(
        f"{draft_url}/publish",
        data={
            "csrf_token": csrf_from(review.text),
            "stamp": stamp.group(1),
            "change_note": "Versi pertama kursus.",
        },
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    session.expire_all()
    new = session.scalar(select(Course).where(Course.slug == "etika-ai-asn"))
    assert new is not None
    assert teaching.teaches(session, user=world.trainer, course_id=new.id)


def _draft_id(session: Session) -> int:
    found = session.scalar(select(CourseDraft.id))
    assert found is not None
    return found


def _png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), (11, 93, 115)).save(out, format="PNG")
    return out.getvalue()


def test_an_image_upload_needs_alt_text_is_re_encoded_and_lands_at_the_lessons_end(
    client: TestClient, session: Session, world: World, course: Course
) -> None:
    draft_url = _open(client, world)
    csrf, revision, _ = _editor(client, draft_url, LESSON)
    base = {"csrf_token": csrf, "lesson": LESSON, "revision": str(revision)}
    no_alt = client.post(
        f"{draft_url}/media",
        data={**base, "alt": "  "},
        files={"file": ("bagan.png", _png(), "image/png")},
        follow_redirects=False,
    )
    assert no_alt.status_code == 303
    svg = client.post(
        f"{draft_url}/media",
        data={**base, "alt": "Bagan"},
        files={
            "file": ("bagan.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "image/svg+xml")
        },
        follow_redirects=True,
    )
    assert "SVG tidak diterima" in svg.text
    session.expire_all()
    assert (
        session.scalar(select(CourseDraftFile).where(CourseDraftFile.path.like("media/%"))) is None
    )

    done = client.post(
        f"{draft_url}/media",
        data={**base, "alt": "Bagan alur data"},
        files={"file": ("Bagan Alur.png", _png(), "image/png")},
        follow_redirects=True,
    )
    assert "Gambar ditambahkan" in done.text
    assert "![Bagan alur data](media/bagan-alur.png)" in _draft_text(session, LESSON)
    served = client.get(f"{draft_url}/media/bagan-alur.png")
    assert served.status_code == 200 and served.headers["content-type"] == "image/png"
    preview = client.post(
        f"{draft_url}/preview", data={"csrf_token": csrf, "body": _draft_text(session, LESSON)}
    )
    assert f'src="{draft_url}/media/bagan-alur.png"' in preview.text
    assert 'alt="Bagan alur data"' in preview.text


def test_opening_again_continues_the_draft_and_discarding_leaves_the_published_version(
    client: TestClient, session: Session, world: World, course: Course
) -> None:
    draft_url = _open(client, world)
    csrf, revision, _ = _editor(client, draft_url, LESSON)
    _save_lesson(client, draft_url, csrf=csrf, revision=revision, body="Belum terbit.\n")
    again = client.post(
        f"/trainer/courses/{SLUG}/draft", data={"csrf_token": csrf}, follow_redirects=True
    )
    assert str(again.url).endswith(draft_url) and "Melanjutkan draf" in again.text
    assert "Belum terbit." in _draft_text(session, LESSON)

    outsider = UserFactory(roles=("trainer",), instansi_id=world.instansi.id)
    session.commit()
    other = TestClient(client.app)
    login(other, outsider.nip or "")
    refused = other.post(f"{draft_url}/discard", data={"csrf_token": form_token(other, "/account")})
    assert refused.status_code == 403

    gone = client.post(f"{draft_url}/discard", data={"csrf_token": csrf}, follow_redirects=False)
    assert gone.status_code == 303
    session.expire_all()
    assert session.scalar(select(CourseDraft)) is None
    assert session.scalar(select(CourseDraftFile)) is None
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "course.draft_discarded"))
    assert event is not None and event.actor_id == world.trainer.id
    assert client.get(draft_url).status_code == 404
    assert courses.published_course(session, slug=SLUG).number == 1
