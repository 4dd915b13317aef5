"""Everything Cakap holds about a person, as one document she can read and keep (UU 27/2022
PDP, her right of access). What others may not see stays out: the correct answers and
per-question marks of her tests (PRODUCT.md §5 reveals those only as the course's review
setting allows), the content of her evaluations (stored without her identity, so it cannot be
found by her either), password and token hashes, certificate and evidence files (downloadable
on their own pages). Each export is audited."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from app.audit import service as audit
from app.core import clock
from app.models import User
from app.privacy import repository

FORMAT = "cakap.personal-data/1"
AUDIT_EVENTS = 1000  # the most recent entries; the log itself keeps them all


def _when(value: datetime | date | None) -> str | None:
    return value.isoformat() if value is not None else None


def personal_data(session: Session, *, user: User) -> dict[str, Any]:
    """The document, and an audit entry saying she downloaded it (in the caller's write)."""
    enrolled = repository.enrolments(session, user.id)
    enrollment_ids = [e.id for e, _, _ in enrolled]
    done = repository.lessons_done(session, enrollment_ids)
    attempts = repository.attempts(session, enrollment_ids)
    answers = repository.answers(session, [a.id for a in attempts])
    receipts = repository.receipts(session, enrollment_ids)

    document: dict[str, Any] = {
        "format": FORMAT,
        "generated_at": _when(clock.now()),
        "profile": {
            "nip": user.nip,
            "name": user.name,
            "email": user.email,
            "jenis_asn": user.jenis_asn,
            "golongan": user.golongan,
            "jenis_jabatan": user.jenis_jabatan,
            "jabatan": user.jabatan,
            "instansi": user.instansi.name if user.instansi else None,
            "unit": user.unit.name if user.unit else None,
            "roles": sorted(r.role.value for r in user.roles),
            "active": user.is_active,
            "created_at": _when(user.created_at),
            "last_login_at": _when(user.last_login_at),
            "privacy_accepted_at": _when(user.privacy_accepted_at),
        },
        "enrolments": [
            {
                "course": course.code,
                "title": version.title,
                "version": version.number,
                "status": enrollment.status,
                "enrolled_at": _when(enrollment.enrolled_at),
                "completed_at": _when(enrollment.completed_at),
                "pretest_score": enrollment.pretest_score,
                "posttest_score": enrollment.posttest_score,
                "lessons_completed": [
                    {"lesson": p.lesson_key, "completed_at": _when(p.completed_at)}
                    for p in done
                    if p.enrollment_id == enrollment.id
                ],
                "attempts": [
                    {
                        "kind": a.kind,
                        "number": a.number,
                        "status": a.status,
                        "started_at": _when(a.started_at),
                        "submitted_at": _when(a.submitted_at),
                        "score": a.score,
                        "passed": a.passed,
                        "answers": [
                            {
                                "question": ans.question_key,
                                "response": ans.response,
                                "saved_at": _when(ans.saved_at),
                            }
                            for ans in answers
                            if ans.attempt_id == a.id
                        ],
                    }
                    for a in attempts
                    if a.enrollment_id == enrollment.id
                ],
                "evaluations_submitted": sorted(
                    r.form_id for r in receipts if r.enrollment_id == enrollment.id
                ),
            }
            for enrollment, course, version in enrolled
        ],
        "jp_ledger": [
            {
                "year": j.year,
                "jp": j.jp,
                "source": j.source,
                "title": j.title,
                "earned_on": _when(j.earned_on),
            }
            for j in repository.jp_entries(session, user.id)
        ],
        "certificates": [
            {
                "number": c.number,
                "course": course.code,
                "issued_on": _when(c.issued_on),
                "predicate": c.predicate,
                "score": c.score,
                "status": c.status,
                "revoked_at": _when(c.revoked_at),
                "revoked_reason": c.revoked_reason,
                "verification_code": c.verification_code,
            }
            for c, course in repository.certificates(session, user.id)
        ],
        "external_training": [
            {
                "title": t.title,
                "organiser": t.organiser,
                "certificate_number": t.certificate_number,
                "start_date": _when(t.start_date),
                "end_date": _when(t.end_date),
                "jp_claimed": t.jp,
                "jp_approved": t.jp_approved,
                "status": t.status,
                "submitted_at": _when(t.submitted_at),
                "review_note": t.review_note,
                "file": t.filename,
            }
            for t in repository.external_training(session, user.id)
        ],
        "sessions": [
            {"created_at": _when(s.created_at), "expires_at": _when(s.expires_at)}
            for s in repository.sessions(session, user.id)
        ],
        "audit_log": [
            {
                "at": _when(e.at),
                "action": audit.action_label(e.action),
                "by_me": e.actor_id == user.id,
                "address": e.address,
            }
            for e in repository.audit_events(session, user.id, AUDIT_EVENTS)
        ],
    }
    audit.record(
        session,
        actor=user,
        action="personal_data.export",
        object_type="user",
        object_id=user.id,
        instansi_id=user.instansi_id,
    )
    return document
