from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel


class UnitOut(BaseModel):
    code: str
    name: str


class PersonItemOut(BaseModel):
    id: int
    nip: str | None
    name: str
    unit: UnitOut | None
    jenis_asn: str | None
    golongan: str | None
    jenis_jabatan: str | None
    jabatan: str | None
    jp: int
    jp_met: bool
    active: bool
    retired: bool
    retired_on: date | None
    status: str  # active | inactive | retired


class PeopleOut(BaseModel):
    year: int
    total: int
    page: int
    per_page: int
    pages: int
    people: list[PersonItemOut]


class EnrolmentOut(BaseModel):
    course: str
    title: str
    status: str  # in_progress | completed
    percent: int
    enrolled_at: datetime
    completed_at: datetime | None


class JpEntryOut(BaseModel):
    source: str  # course | external
    title: str
    jp: int
    earned_on: date


class CertificateOut(BaseModel):
    id: int
    number: str
    course: str
    jp: int
    issued_at: datetime
    status: str
    pdf: str  # the download URL (it authorises HR of her scope itself)


class PersonOut(BaseModel):
    id: int
    nip: str | None
    name: str
    email: str | None
    instansi: str | None
    unit: UnitOut | None
    jenis_asn: str | None
    golongan: str | None
    pangkat: str | None
    jenis_jabatan: str | None
    jabatan: str | None
    status: str
    active: bool
    retired_on: date | None
    roles: list[str]
    year: int
    jp: int
    jp_cakap: int
    jp_external: int
    jp_met: bool
    jp_ledger: list[JpEntryOut]
    enrolments: list[EnrolmentOut]
    certificates: list[CertificateOut]
