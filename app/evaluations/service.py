"""Course evaluations: evaluasi pengajar and evaluasi penyelenggaraan (Likert 1–5 + comment)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.core import clock
from app.core.errors import Conflict, Forbidden, Invalid, NotFound
from app.core.text import is_ascii_digits
from app.courses.outline import Outline
from app.learning import repository as learning_repository
from app.learning import service as learning
from app.models import Enrollment, EvaluationReceipt, EvaluationResponse

SCALE = {1: "Sangat kurang", 2: "Kurang", 3: "Cukup", 4: "Baik", 5: "Sangat baik"}
MAX_COMMENT = 2000
# Summaries of the responses (withheld below five) are in app/analytics/evaluations.py.

DEFAULT_FORMS: list[dict[str, Any]] = [
    {
        "id": "pengajar",
        "title": "Evaluasi Pengajar",
        "questions": [
            {"id": "penguasaan-materi", "text": "Penguasaan materi oleh widyaiswara penyusun"},
            {"id": "sistematika", "text": "Sistematika penyajian materi"},
            {"id": "bahasa", "text": "Kejelasan bahasa dan contoh yang digunakan"},
            {"id": "relevansi", "text": "Relevansi contoh dengan pekerjaan sehari-hari"},
            {"id": "motivasi", "text": "Kemampuan materi memotivasi Anda untuk menerapkannya"},
        ],
    },
    {
        "id": "penyelenggaraan",
        "title": "Evaluasi Penyelenggaraan",
        "questions": [
            {"id": "akses", "text": "Kemudahan mengakses kursus dari perangkat Anda"},
            {"id": "petunjuk", "text": "Kejelasan petunjuk dan informasi kursus"},
            {"id": "beban", "text": "Kesesuaian beban JP dengan isi materi"},
            {"id": "soal", "text": "Kualitas soal pre-test dan post-test"},
            {"id": "kepuasan", "text": "Kepuasan Anda secara keseluruhan"},
        ],
    },
]


@dataclass
class FormState:
    form: Mapping[str, Any]
    submitted: bool


def forms_of(version: Outline) -> Sequence[Mapping[str, Any]]:
    return (version.evaluation or {}).get("forms") or DEFAULT_FORMS


def form_of(version: Outline, form_id: str) -> Mapping[str, Any]:
    for form in forms_of(version):
        if form["id"] == form_id:
            return form
    raise NotFound("Formulir evaluasi tidak ditemukan.")


def _receipts(session: Session, enrollment_id: int) -> set[str]:
    stmt = select(EvaluationReceipt.form_id).where(EvaluationReceipt.enrollment_id == enrollment_id)
    return set(session.scalars(stmt))


def states(session: Session, *, enrollment: Enrollment, version: Outline) -> list[FormState]:
    done = _receipts(session, enrollment.id)
    return [FormState(f, f["id"] in done) for f in forms_of(version)]


def all_done(session: Session, *, enrollment: Enrollment, version: Outline) -> bool:
    return all(s.submitted for s in states(session, enrollment=enrollment, version=version))


def is_open(session: Session, *, enrollment: Enrollment, version: Outline) -> bool:
    """Evaluations are asked at the end: once every lesson is done or the course is complete."""
    if enrollment.status == "completed":
        return True
    done = learning_repository.completed_keys(session, enrollment.id)
    return learning.progress(version, enrollment, done).next_lesson is None


def submit(
    session: Session,
    *,
    enrollment: Enrollment,
    version: Outline,
    form_id: str,
    answers: dict[str, Any],
    comment: str | None,
) -> None:
    form = form_of(version, form_id)
    if not is_open(session, enrollment=enrollment, version=version):
        raise Forbidden("Evaluasi dibuka setelah semua pelajaran selesai.")
    expected = [q["id"] for q in form["questions"]]
    missing = [q for q in expected if q not in answers]
    if missing:
        raise Invalid(f"Beri nilai untuk semua pernyataan ({len(missing)} belum diisi).")
    unknown = set(answers) - set(expected)
    if unknown:
        raise Invalid("Pernyataan tidak dikenal: " + ", ".join(sorted(unknown)))
    clean: dict[str, int] = {}
    for key in expected:
        value = answers[key]
        if isinstance(value, str) and is_ascii_digits(value) and len(value) < 3:
            value = int(value)
        if not isinstance(value, int) or isinstance(value, bool) or value not in SCALE:
            raise Invalid("Nilai harus 1 sampai 5.")
        clean[key] = value
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        raise Invalid(f"Komentar maksimal {MAX_COMMENT} karakter.")
    try:
        with session.begin_nested():
            session.add(EvaluationReceipt(enrollment_id=enrollment.id, form_id=form_id))
    except IntegrityError:
        raise Conflict("Anda sudah mengisi evaluasi ini.") from None
    session.add(
        EvaluationResponse(
            course_id=version.course_id,
            version_id=version.id,
            form_id=form_id,
            answers=clean,
            comment=comment or None,
            year=clock.local_today().year,
            # coarse enough not to single her out (app/analytics/evaluations.py)
            instansi_id=enrollment.user.instansi_id,
        )
    )
    session.flush()
