"""What HR (within her scope, learners only) and admins change on a person page: employment
data, unit, active and retired status, and a new first-login code. Every change is audited
with what it was and what it became."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.orm import Session

from app.accounts import service as accounts
from app.asn.employment import JENIS_ASN, JENIS_JABATAN, normalise_golongan
from app.asn.nip import InvalidNip, validate_nip
from app.audit import service as audit
from app.core import clock
from app.core.errors import Forbidden, Invalid
from app.models import User
from app.staff import repository

JABATAN_MAX = 200
NOT_YOURS = (
    "Akun widyaiswara, petugas BKPSDM, dan admin hanya dapat diubah oleh admin; petugas BKPSDM "
    "mengelola akun peserta di lingkupnya."
)


def require_manage(session: Session, *, actor: User, person: User) -> None:
    if not accounts.may_manage_person(session, actor, person):
        raise Forbidden(NOT_YOURS)


def _record(
    session: Session, *, actor: User, person: User, action: str, detail: dict[str, object]
) -> None:
    audit.record(
        session,
        actor=actor,
        action=action,
        object_type="user",
        object_id=person.id,
        instansi_id=person.instansi_id,
        detail=detail,
    )


def update_employment(
    session: Session,
    *,
    person: User,
    actor: User,
    jenis_asn: str,
    golongan: str,
    jenis_jabatan: str,
    jabatan: str,
) -> None:
    require_manage(session, actor=actor, person=person)
    kind = jenis_asn.strip().upper()
    if kind not in JENIS_ASN:
        raise Invalid(f"Jenis ASN harus salah satu dari: {', '.join(JENIS_ASN)}.")
    if person.nip and kind != person.jenis_asn:
        try:
            validate_nip(person.nip, kind=kind, today=clock.local_today())
        except InvalidNip as exc:
            label = "NI PPPK" if kind == "PPPK" else "NIP"
            raise Invalid(
                f"Nomor {person.nip} bukan {label} yang sah untuk jenis ASN {kind}: {exc.message}"
            ) from None
    grade = None
    if golongan.strip():
        grade = normalise_golongan(golongan, jenis_asn=kind)
        if grade is None:
            hint = "I sampai XVII" if kind == "PPPK" else "I/a sampai IV/e"
            raise Invalid(f"Golongan {golongan.strip()!r} tidak berlaku untuk {kind} ({hint}).")
    kind_of_post = jenis_jabatan.strip().lower() or None
    if kind_of_post and kind_of_post not in JENIS_JABATAN:
        raise Invalid(f"Jenis jabatan harus salah satu dari: {', '.join(JENIS_JABATAN)}.")
    title = " ".join(jabatan.split()) or None
    if title and len(title) > JABATAN_MAX:
        raise Invalid(f"Jabatan maksimal {JABATAN_MAX} karakter.")
    wanted = {
        "jenis_asn": kind,
        "golongan": grade,
        "jenis_jabatan": kind_of_post,
        "jabatan": title,
    }
    before = {key: getattr(person, key) for key in wanted}
    changed = {key for key in wanted if before[key] != wanted[key]}
    if not changed:
        return
    for key in changed:
        setattr(person, key, wanted[key])
    session.flush()
    _record(
        session,
        actor=actor,
        person=person,
        action="person.employment",
        detail={
            "from": {k: before[k] for k in sorted(changed)},
            "to": {k: wanted[k] for k in sorted(changed)},
        },
    )


def move_to_unit(session: Session, *, person: User, actor: User, unit_id: int | None) -> None:
    """Another unit of her own instansi, one the actor's scope covers (moving to another
    instansi is a transfer: app/staff/placement.py)."""
    require_manage(session, actor=actor, person=person)
    unit = repository.unit(session, unit_id) if unit_id else None
    if unit_id and (unit is None or unit.instansi_id != person.instansi_id):
        raise Invalid("Pilih unit kerja dari instansi pegawai ini.")
    if unit is not None and not accounts.scope_of(session, actor).covers_unit(unit):
        raise Invalid("Unit kerja itu berada di luar lingkup Anda.")
    if unit is None and not actor.has_role("admin"):
        raise Invalid("Pilih unit kerja.")  # HR would lose sight of her: only admins may
    before = person.unit
    if (before.id if before else None) == (unit.id if unit else None):
        return
    person.unit = unit
    session.flush()
    _record(
        session,
        actor=actor,
        person=person,
        action="person.unit",
        detail={
            "from": before.code if before else None,
            "to": unit.code if unit else None,
        },
    )


def set_active(session: Session, *, person: User, actor: User, active: bool) -> None:
    require_manage(session, actor=actor, person=person)
    if person.is_active == active:
        return
    accounts.set_active(session, user=person, active=active, actor=actor)


RETIRE_AHEAD = timedelta(days=366)


def parse_retirement(raw: str) -> date:
    try:
        day = date.fromisoformat((raw or "").strip())
    except ValueError:
        raise Invalid("Tanggal pensiun wajib diisi dengan format tanggal (YYYY-MM-DD).") from None
    if day < date(1950, 1, 1) or day > clock.local_today() + RETIRE_AHEAD:
        raise Invalid("Tanggal pensiun harus sebelum setahun dari hari ini.")
    return day


def set_retired(session: Session, *, person: User, actor: User, on: str) -> None:
    """From this date she is retired (pensiun): her record stays, she leaves the 20-JP counts."""
    require_manage(session, actor=actor, person=person)
    day = parse_retirement(on)
    before = person.retired_on
    if before == day:
        return
    person.retired_on = day
    session.flush()
    _record(
        session,
        actor=actor,
        person=person,
        action="person.retire",
        detail={"from": before.isoformat() if before else None, "to": day.isoformat()},
    )


def clear_retired(session: Session, *, person: User, actor: User) -> None:
    require_manage(session, actor=actor, person=person)
    before = person.retired_on
    if before is None:
        return
    person.retired_on = None
    session.flush()
    _record(
        session,
        actor=actor,
        person=person,
        action="person.unretire",
        detail={"from": before.isoformat()},
    )


def reset_password(session: Session, *, person: User, actor: User) -> str:
    """A new first-login code (shown once); her sessions and tokens end (accounts)."""
    require_manage(session, actor=actor, person=person)
    if not person.is_active:
        raise Invalid("Aktifkan akun ini terlebih dahulu sebelum mengatur ulang kata sandinya.")
    return accounts.reset_password(session, user=person, actor=actor)
