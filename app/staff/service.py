"""The staff directory: whom HR sees (app/accounts/scope.py), how the list is filtered, what a
person page shows, and the edits HR and admins make there."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.orm import Session

from app.accounts import service as accounts
from app.asn.employment import JENIS_ASN, JENIS_JABATAN, normalise_golongan, pangkat_golongan
from app.asn.nip import looks_like_nip, normalise_nip
from app.certificates import service as certificates
from app.core import clock
from app.core.errors import Invalid, NotFound
from app.dashboard import service as dashboard
from app.learning import service as learning
from app.models import Certificate, JpEntry, Unit, User
from app.org import service as org
from app.staff import repository
from app.staff.repository import JP_TARGET, PersonRow

PER_PAGE = 50
Q_MAX = 100
JP_STATUSES = {"met": "Sudah 20 JP", "not_met": "Belum 20 JP"}
STATUS_LABELS = {"active": "Aktif", "inactive": "Nonaktif", "retired": "Pensiun"}


def jp_year() -> int:
    """The JP year: the calendar year of today in WIB (clock.local_today; instansi have no
    time zone of their own yet)."""
    return clock.local_today().year


def status_of(*, is_active: bool, retired_on: date | None, today: date) -> str:
    """active | inactive | retired: the last two leave the 20-JP counts (PRODUCT.md §2)."""
    if not is_active:
        return "inactive"
    if retired_on is not None and retired_on <= today:
        return "retired"
    return "active"


@dataclass(frozen=True)
class PeopleFilter:
    q: str = ""
    unit: str = ""
    jenis_asn: str = ""
    golongan: str = ""
    jenis_jabatan: str = ""
    jp: str = ""  # "" | met | not_met
    include_inactive: bool = False

    def as_query(self) -> dict[str, str]:
        """The filter as query-string pairs (for the pager's links)."""
        pairs = {
            "q": self.q,
            "unit": self.unit,
            "jenis_asn": self.jenis_asn,
            "golongan": self.golongan,
            "jenis_jabatan": self.jenis_jabatan,
            "jp": self.jp,
            "include_inactive": "1" if self.include_inactive else "",
        }
        return {k: v for k, v in pairs.items() if v}


@dataclass(frozen=True)
class PersonItem:
    row: PersonRow
    status: str

    @property
    def jp_met(self) -> bool:
        return self.row.jp >= JP_TARGET


@dataclass(frozen=True)
class PeoplePage:
    items: list[PersonItem]
    total: int
    page: int
    per_page: int
    year: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def _golongan(raw: str, jenis_asn: str | None) -> str | None:
    if jenis_asn:
        return normalise_golongan(raw, jenis_asn=jenis_asn)
    return normalise_golongan(raw, jenis_asn="PNS") or normalise_golongan(raw, jenis_asn="PPPK")


def list_people(
    session: Session, *, viewer: User, filter: PeopleFilter, page: int, per_page: int = PER_PAGE
) -> PeoplePage:
    """The people in the viewer's scope that match the filter, one page of them. A value that
    is not one of the known ones is refused (Invalid) rather than silently ignored."""
    scope = accounts.scope_of(session, viewer)
    today = clock.local_today()
    if scope.nobody:
        return PeoplePage([], 0, page, per_page, jp_year())
    q = filter.q.strip()[:Q_MAX]
    name = nip = None
    if q and looks_like_nip(q):
        nip = normalise_nip(q)
    elif q:
        name = q.lower()
    jenis_asn = filter.jenis_asn.strip().upper() or None
    if jenis_asn and jenis_asn not in JENIS_ASN:
        raise Invalid(f"Jenis ASN harus salah satu dari: {', '.join(JENIS_ASN)}.")
    golongan = None
    if filter.golongan.strip():
        golongan = _golongan(filter.golongan, jenis_asn)
        if golongan is None:
            raise Invalid(f"Golongan {filter.golongan.strip()!r} tidak dikenal.")
    jenis_jabatan = filter.jenis_jabatan.strip().lower() or None
    if jenis_jabatan and jenis_jabatan not in JENIS_JABATAN:
        raise Invalid(f"Jenis jabatan harus salah satu dari: {', '.join(JENIS_JABATAN)}.")
    if filter.jp and filter.jp not in JP_STATUSES:
        raise Invalid("Status JP harus met (sudah 20 JP) atau not_met (belum).")
    unit_ids: set[int] | None = None
    code = filter.unit.strip()
    if code:
        units = repository.units_by_code(
            session, code=code, instansi_id=None if scope.everyone else scope.instansi_id
        )
        if not units:
            raise Invalid(f"Unit kerja dengan kode {code} tidak ditemukan.")
        unit_ids = set()
        for unit in units:
            unit_ids |= org.subtree_ids(session, unit=unit)
    year = jp_year()
    query = repository.PeopleQuery(
        scope=scope.people(),
        year=year,
        today=today,
        name=name,
        nip=nip,
        unit_ids=unit_ids,
        jenis_asn=jenis_asn,
        golongan=golongan,
        jenis_jabatan=jenis_jabatan,
        jp_met=None if not filter.jp else filter.jp == "met",
        include_inactive=filter.include_inactive,
    )
    rows, total = repository.people_page(session, query=query, page=page, per_page=per_page)
    items = [
        PersonItem(r, status_of(is_active=r.is_active, retired_on=r.retired_on, today=today))
        for r in rows
    ]
    return PeoplePage(items, total, page, per_page, year)


def filter_choices(session: Session, *, viewer: User) -> dict[str, object]:
    """What the list's selects offer: the units the viewer sees, and the vocabularies."""
    return {
        "units": visible_units(session, viewer=viewer, instansi_id=None),
        "jenis_asn": JENIS_ASN,
        "jenis_jabatan": JENIS_JABATAN,
        "jp_statuses": JP_STATUSES,
    }


def visible_units(session: Session, *, viewer: User, instansi_id: int | None) -> list[Unit]:
    """The units the viewer's scope covers (of one instansi when given)."""
    scope = accounts.scope_of(session, viewer)
    if scope.nobody:
        return []
    wanted = {instansi_id} if instansi_id is not None else None
    if not scope.everyone:
        if instansi_id is not None and instansi_id != scope.instansi_id:
            return []
        wanted = {scope.instansi_id} if scope.instansi_id is not None else set()
    return [u for u in repository.units_in(session, instansi_ids=wanted) if scope.covers_unit(u)]


def person_for(session: Session, *, person_id: int, viewer: User) -> User:
    """The person, when the viewer's scope covers her; 404 otherwise (her existence outside
    the scope is not revealed)."""
    found = repository.person(session, person_id)
    if found is None or not accounts.scope_of(session, viewer).covers(found):
        raise NotFound("Pegawai tidak ditemukan.")
    return found


@dataclass
class PersonRecord:
    person: User
    status: str
    pangkat_golongan: str
    year: int
    years: list[int]
    enrolments: list[dashboard.DashboardEntry]
    ledger: list[JpEntry]
    certificates: list[Certificate]
    may_manage: bool
    units: list[Unit] = field(default_factory=list)

    @property
    def jp_total(self) -> int:
        return sum(e.jp for e in self.ledger)

    @property
    def jp_cakap(self) -> int:
        return sum(e.jp for e in self.ledger if e.source == "course")

    @property
    def jp_external(self) -> int:
        return sum(e.jp for e in self.ledger if e.source != "course")

    @property
    def jp_met(self) -> bool:
        return self.jp_total >= JP_TARGET


def person_record(
    session: Session, *, person: User, viewer: User, year: int | None = None
) -> PersonRecord:
    """Everything a person page shows; the view is audited (UU PDP)."""
    accounts.record_person_view(session, person=person, viewer=viewer)
    current = jp_year()
    year = year or current
    years = sorted(set(repository.jp_years(session, user_id=person.id)) | {current, year})
    manage = accounts.may_manage_person(session, viewer, person)
    return PersonRecord(
        person=person,
        status=status_of(
            is_active=person.is_active, retired_on=person.retired_on, today=clock.local_today()
        ),
        pangkat_golongan=pangkat_golongan(person.golongan),
        year=year,
        years=years,
        enrolments=dashboard.dashboard(session, user=person),
        ledger=learning.jp_ledger(session, user=person, year=year),
        certificates=certificates.of_user(session, user=person),
        may_manage=manage,
        units=visible_units(session, viewer=viewer, instansi_id=person.instansi_id)
        if manage and person.instansi_id is not None
        else [],
    )
