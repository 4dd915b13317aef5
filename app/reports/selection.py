"""Who a report covers: the viewer's scope (app/accounts/scope.py) narrowed by the report's
filters. A filter naming something outside the scope is refused, never answered with an empty
report that reads like "0 people"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, or_
from sqlalchemy.orm import Session

from app.accounts import service as accounts
from app.accounts.scope import Scope
from app.asn.employment import GOLONGAN_PPPK, JENIS_ASN, JENIS_JABATAN, PANGKAT_PNS
from app.core import clock
from app.core.errors import Forbidden, Invalid, NotFound
from app.models import Instansi, Unit, User
from app.org import repository as org_repository
from app.org import service as org

GOLONGAN = (*PANGKAT_PNS, *GOLONGAN_PPPK)


@dataclass(frozen=True)
class Filters:
    """A report's filters as given (query string or form), before they are checked."""

    instansi: str | None = None
    unit: str | None = None
    jenis_asn: str | None = None
    golongan: str | None = None
    jenis_jabatan: str | None = None

    @classmethod
    def of(cls, **values: str | None) -> Filters:
        cleaned = {k: (v or "").strip() or None for k, v in values.items()}
        for value in cleaned.values():
            # Codes are short and printable; anything else matches nothing (and a NUL would
            # reach PostgreSQL's driver as an error, not as "no such unit").
            if value is not None and (len(value) > 60 or not value.isprintable()):
                raise Invalid("Saringan laporan tidak valid.")
        return cls(**cleaned)


@dataclass(frozen=True)
class Selection:
    """The people a report covers, resolved to ids."""

    scope: Scope
    instansi: Instansi | None  # the one instansi reported on (None: an admin's whole country)
    unit: Unit | None
    unit_ids: frozenset[int] | None
    jenis_asn: str | None
    golongan: str | None
    jenis_jabatan: str | None
    today: date

    def people(self) -> list[ColumnElement[bool]]:
        """WHERE clauses on User: in scope, ASN of an instansi, and matching the filters."""
        clauses: list[ColumnElement[bool]] = [
            self.scope.people(),
            User.instansi_id.is_not(None),
            # Accounts without a NIP / NI PPPK (a system administrator's) are not ASN.
            User.nip.is_not(None),
        ]
        if self.instansi is not None:
            clauses.append(User.instansi_id == self.instansi.id)
        if self.unit_ids is not None:
            clauses.append(User.unit_id.in_(sorted(self.unit_ids)))
        if self.jenis_asn:
            clauses.append(User.jenis_asn == self.jenis_asn)
        if self.golongan:
            clauses.append(User.golongan == self.golongan)
        if self.jenis_jabatan:
            clauses.append(User.jenis_jabatan == self.jenis_jabatan)
        return clauses

    def counted(self) -> list[ColumnElement[bool]]:
        """`people()` less those who leave the 20-JP counts: deactivated, or retired by today
        (PRODUCT.md §2 Transfers)."""
        return [
            *self.people(),
            User.is_active.is_(True),
            or_(User.retired_on.is_(None), User.retired_on > self.today),
        ]

    def describe(self) -> dict[str, Any]:
        """The filters as codes, for the audit log and the export's header."""
        return {
            "instansi": self.instansi.code if self.instansi else None,
            "unit": self.unit.code if self.unit else None,
            "jenis_asn": self.jenis_asn,
            "golongan": self.golongan,
            "jenis_jabatan": self.jenis_jabatan,
        }


def _choice(value: str | None, allowed: tuple[str, ...] | list[str], label: str) -> str | None:
    if value is None:
        return None
    if value not in allowed:
        raise Invalid(f"{label} '{value}' tidak dikenal.")
    return value


def resolve(session: Session, *, viewer: User, filters: Filters) -> Selection:
    """Check the filters against the viewer's scope. An admin may name any instansi; HR only
    her own (403 otherwise). A unit is looked up in that instansi (404 when it does not exist)
    and must lie in the viewer's scope (403)."""
    scope = accounts.scope_of(session, viewer)
    if scope.nobody:
        raise Forbidden("Akun Anda tidak terhubung dengan instansi mana pun.")
    instansi: Instansi | None = None
    if filters.instansi is not None:
        instansi = org_repository.instansi_by_code(session, filters.instansi)
        if instansi is None:
            raise NotFound(f"Instansi dengan kode {filters.instansi} tidak ditemukan.")
        if not scope.everyone and instansi.id != scope.instansi_id:
            raise Forbidden("Instansi itu di luar cakupan akun Anda.")
    elif not scope.everyone:
        instansi = org.instansi_by_id(session, scope.instansi_id)  # type: ignore[arg-type]
    unit: Unit | None = None
    unit_ids = scope.unit_ids
    if filters.unit is not None:
        unit = _unit(session, code=filters.unit, instansi=instansi)
        if not scope.covers_unit(unit):
            raise Forbidden(f"Unit kerja {unit.code} di luar cakupan akun Anda.")
        if instansi is None:
            instansi = unit.instansi
        unit_ids = org.subtree_ids(session, unit=unit)
    return Selection(
        scope=scope,
        instansi=instansi,
        unit=unit,
        unit_ids=unit_ids,
        jenis_asn=_choice(filters.jenis_asn, JENIS_ASN, "Jenis ASN"),
        golongan=_choice(filters.golongan, GOLONGAN, "Golongan"),
        jenis_jabatan=_choice(filters.jenis_jabatan, list(JENIS_JABATAN), "Jenis jabatan"),
        today=clock.local_today(),
    )


def _unit(session: Session, *, code: str, instansi: Instansi | None) -> Unit:
    if instansi is not None:
        found = org_repository.unit_by_code(session, instansi.id, code)
        if found is None:
            raise NotFound(f"Unit kerja dengan kode {code} tidak ditemukan di {instansi.name}.")
        return found
    # An admin naming a unit without its instansi: unit codes are unique per instansi only.
    matches = org_repository.units_by_code(session, code)
    if not matches:
        raise NotFound(f"Unit kerja dengan kode {code} tidak ditemukan.")
    if len(matches) > 1:
        raise Invalid(f"Kode unit {code} ada di beberapa instansi: pilih instansinya juga.")
    return matches[0]
