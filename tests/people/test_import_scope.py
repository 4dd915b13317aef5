"""Who an import may touch, and what a preview may say (issue 9, items 10 and 11)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts import service as accounts
from app.core.errors import Invalid
from app.models import AuditEvent, ExternalTraining, User
from app.people import service
from app.training import service as training
from tests.accounts.test_api_auth import token_for
from tests.conftest import form_token, login
from tests.factories import UserFactory, World
from tests.people.test_import import csv_bytes, run


def _row(user: User, name: str = "Nama Dari Impor") -> str:
    return f"{user.nip},{name},,PNS,III/a,,,,"


def test_an_account_without_instansi_is_not_taken_over(session: Session, world: World) -> None:
    stray = UserFactory(name="Pegawai Tanpa Instansi", instansi_id=None)
    report = run(session, world, csv_bytes([_row(stray)]), dry_run=False)
    assert [(e.field, e.message) for e in report.errors] == [("nip", service.NOT_IMPORTABLE)]
    assert (report.created, report.updated) == (0, 0)
    session.refresh(stray)
    assert (stray.instansi_id, stray.name, stray.email) == (None, "Pegawai Tanpa Instansi", None)


def test_trainer_hr_and_admin_accounts_of_the_own_instansi_are_not_overwritten(
    session: Session, world: World
) -> None:
    admin = UserFactory(roles=("admin",), instansi_id=world.instansi.id, name="Admin Ber-NIP")
    hr2 = UserFactory(roles=("hr",), instansi_id=world.instansi.id, name="HR Kedua")
    people = [world.trainer, world.hr, admin, hr2]
    before = {u.id: (u.name, u.email, u.golongan) for u in people}
    report = run(
        session,
        world,
        csv_bytes([_row(u, f"Ganti {i}") for i, u in enumerate(people)]),
        dry_run=False,
    )
    assert [(e.row, e.message) for e in report.errors] == [
        (row, service.NOT_A_LEARNER) for row in (2, 3, 4, 5)
    ]
    for user in people:
        session.refresh(user)
        assert (user.name, user.email, user.golongan) == before[user.id]


def test_a_learner_of_the_own_instansi_is_still_updated(session: Session, world: World) -> None:
    report = run(
        session, world, csv_bytes([_row(world.learner2, "Euis Suryani S.E.")]), dry_run=False
    )
    assert (report.updated, report.errors) == (1, [])
    session.refresh(world.learner2)
    assert world.learner2.name == "Euis Suryani S.E."


def test_a_dry_run_does_not_say_where_a_nip_is_registered(client: TestClient, world: World) -> None:
    stray = UserFactory(instansi_id=None)
    headers = {"Authorization": f"Bearer {token_for(client, world.hr.nip or '')}"}
    answer = client.post(
        "/api/v1/people/import?dry_run=true",
        headers=headers,
        files={"file": ("asn.csv", csv_bytes([_row(world.hr_other), _row(stray)]), "text/csv")},
    )
    assert answer.status_code == 200
    messages = [e["message"] for e in answer.json()["errors"]]
    assert messages == [service.NOT_IMPORTABLE] * 2, "another instansi and none read the same"
    text = answer.text.lower()
    for hint in ("instansi lain", "3207", world.other_instansi.name.lower(), "terdaftar"):
        assert hint not in text


def test_dry_runs_are_audited_on_the_api_and_the_page(
    client: TestClient, session: Session, world: World
) -> None:
    headers = {"Authorization": f"Bearer {token_for(client, world.hr.nip or '')}"}
    data = csv_bytes([_row(world.learner2)])
    assert (
        client.post(
            "/api/v1/people/import?dry_run=true",
            headers=headers,
            files={"file": ("asn.csv", data, "text/csv")},
        ).status_code
        == 200
    )
    login(client, world.hr.nip or "")
    page = client.post(
        "/hr/import",
        data={"csrf_token": form_token(client, "/hr/import"), "instansi": "3206"},
        files={"file": ("asn.csv", data, "text/csv")},
    )
    assert page.status_code == 200
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "people.import_preview")
    ).all()
    assert [(e.actor_id, e.instansi_id, e.detail["updated"]) for e in events] == [
        (world.hr.id, world.instansi.id, 1)
    ] * 2
    assert all(world.learner2.nip not in str(e.detail) for e in events), "no personal data"


# --- an HR officer's scope ------------------------------------------------------------------


def test_hr_without_an_instansi_sees_nobody(session: Session, world: World) -> None:
    loose_hr = UserFactory(roles=("hr",), instansi_id=None)
    stray = UserFactory(instansi_id=None)
    session.add(
        ExternalTraining(
            user_id=stray.id,
            title="Pelatihan Luar",
            organiser="Penyelenggara",
            start_date=world.learner.created_at.date(),
            end_date=world.learner.created_at.date(),
            jp=2,
            certificate=b"%PDF-1.4 %%EOF",
            certificate_sha256="0" * 64,
            filename="s.pdf",
            status="pending",
        )
    )
    session.flush()
    assert accounts.hr_instansi_id(loose_hr) is None
    assert not accounts.may_see_records_of(session, loose_hr, stray)
    assert training.pending_for_hr(session, hr=loose_hr) == []


def test_the_hr_role_always_comes_with_an_instansi(session: Session, world: World) -> None:
    stray = UserFactory(instansi_id=None)
    with pytest.raises(Invalid, match="terikat pada satu instansi"):
        accounts.set_roles(session, user=stray, roles=["learner", "hr"], actor=world.admin)
    with pytest.raises(Invalid, match="terikat pada satu instansi"):
        accounts.create_user(
            session, nip=None, name="HR Lepas", password=None, roles=["hr"], email="hr@x.id"
        )
