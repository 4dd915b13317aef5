"""The admin page for who teaches which course."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import AuditEvent, CourseTrainer
from tests.conftest import form_token, login
from tests.factories import World


def test_admin_assigns_and_removes_a_trainer_on_the_page(
    client: TestClient, session: Session, world: World, courses_imported: None
) -> None:
    login(client, world.admin.email or "")
    token = form_token(client, "/admin/trainers")
    done = client.post(
        "/admin/trainers",
        data={"csrf_token": token, "course": "literasi-digital", "nip": world.trainer.nip},
        follow_redirects=False,
    )
    assert done.status_code == 303
    page = client.get("/admin/trainers")
    assert world.trainer.name in page.text and "manual" in page.text
    session.expire_all()
    assert session.scalars(select(CourseTrainer.source)).all() == ["manual"]
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "course.trainer_assigned")
    ).one()
    assert event.actor_id == world.admin.id

    refused = client.post(
        "/admin/trainers",
        data={"csrf_token": token, "course": "literasi-digital", "nip": world.learner.nip},
    )
    assert refused.status_code == 422 and "peran pengajar" in refused.text
    removed = client.post(
        "/admin/trainers",
        data={
            "csrf_token": token,
            "course": "literasi-digital",
            "nip": world.trainer.nip,
            "remove": "1",
        },
        follow_redirects=False,
    )
    assert removed.status_code == 303
    session.expire_all()
    assert session.scalars(select(CourseTrainer)).all() == []


def test_only_admins_reach_the_trainers_page(
    client: TestClient, world: World, courses_imported: None
) -> None:
    assert client.get("/admin/trainers", follow_redirects=False).status_code == 303
    for person in (world.learner, world.trainer, world.hr):
        client.cookies.clear()
        login(client, person.nip or "")
        assert client.get("/admin/trainers").status_code == 403
