"""Where a person works across instansi (a transfer, *mutasi*: PRODUCT.md §2) and how far an HR
officer's scope reaches (her role narrowed to a unit subtree). Admins only.

A transfer moves nothing but the account's instansi and unit: her JP ledger, enrolments,
attempts and certificates hang off her user id, so they go with her, and every HR page asks
app/accounts/scope.py, so the old instansi's HR loses sight of her and the new one's gains it."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.accounts import service as accounts
from app.audit import service as audit
from app.core.errors import Forbidden, Invalid
from app.models import Instansi, Role, Unit, User, UserRole
from app.staff import repository


def _require_admin(actor: User) -> None:
    if not actor.has_role("admin"):
        raise Forbidden("Hanya admin yang dapat memindahkan pegawai atau mengubah lingkup HR.")


def transfer(
    session: Session, *, person: User, instansi_id: int | None, unit_id: int | None, actor: User
) -> None:
    """Move her to another instansi (and a unit of it). An HR role she held for the old
    instansi is removed and her sessions end: she is no longer its officer."""
    _require_admin(actor)
    target = repository.instansi(session, instansi_id) if instansi_id else None
    if target is None:
        raise Invalid("Pilih instansi tujuan.")
    if target.id == person.instansi_id:
        raise Invalid(
            "Pegawai sudah berada di instansi itu; untuk pindah unit kerja gunakan halaman pegawai."
        )
    unit = repository.unit(session, unit_id) if unit_id else None
    if unit_id and (unit is None or unit.instansi_id != target.id):
        raise Invalid(f"Unit kerja tujuan harus unit dari {target.name}.")
    old_instansi, old_unit = person.instansi, person.unit
    removed = [
        r
        for r in person.roles
        if r.role == Role.hr and (r.instansi_id or person.instansi_id) == person.instansi_id
    ]
    for role in removed:
        person.roles.remove(role)
    if not person.roles:
        person.roles.append(UserRole(role=Role.learner))
    person.instansi = target
    person.unit = unit
    session.flush()
    if removed:
        accounts.end_all_sessions(session, user=person)
    audit.record(
        session,
        actor=actor,
        action="person.transfer",
        object_type="user",
        object_id=person.id,
        instansi_id=target.id,
        detail={
            "from": {
                "instansi": old_instansi.code if old_instansi else None,
                "unit": old_unit.code if old_unit else None,
            },
            "to": {"instansi": target.code, "unit": unit.code if unit else None},
            "removed": ["hr"] if removed else [],
        },
    )


def set_hr_unit(session: Session, *, user: User, unit_id: int | None, actor: User) -> None:
    """Narrow her HR role to a unit and its sub-units (None: the whole instansi again)."""
    _require_admin(actor)
    role = next((r for r in user.roles if r.role == Role.hr), None)
    if role is None:
        raise Invalid("Pengguna ini tidak memegang peran BKPSDM (HR).")
    instansi_id = role.instansi_id or user.instansi_id
    unit = repository.unit(session, unit_id) if unit_id else None
    if unit_id and (unit is None or unit.instansi_id != instansi_id):
        raise Invalid("Pilih unit kerja dari instansi peran BKPSDM ini.")
    before = repository.unit(session, role.unit_id) if role.unit_id else None
    if (before.id if before else None) == (unit.id if unit else None):
        return
    role.unit_id = unit.id if unit else None
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="user.hr_unit",
        object_type="user",
        object_id=user.id,
        instansi_id=instansi_id,
        detail={"from": before.code if before else None, "to": unit.code if unit else None},
    )


def transfer_choices(session: Session) -> list[tuple[Instansi, list[Unit]]]:
    """Every instansi with its units, for the transfer form."""
    units = repository.units_in(session, instansi_ids=None)
    by_instansi: dict[int, list[Unit]] = {}
    for unit in units:
        by_instansi.setdefault(unit.instansi_id, []).append(unit)
    return [(i, by_instansi.get(i.id, [])) for i in repository.all_instansi(session)]


def hr_unit_choices(session: Session, *, user: User) -> list[Unit]:
    """The units her HR role may be narrowed to: those of the role's instansi."""
    role = next((r for r in user.roles if r.role == Role.hr), None)
    if role is None:
        return []
    instansi_id = role.instansi_id or user.instansi_id
    if instansi_id is None:
        return []
    return repository.units_in(session, instansi_ids={instansi_id})
