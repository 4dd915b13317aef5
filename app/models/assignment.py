from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core import clock
from app.core.db import Base, UTCDateTime
from app.models.course import Course
from app.models.org import Instansi
from app.models.user import User


class Assignment(Base):
    """A course HR makes mandatory (*penugasan*) for the people its targets name, from
    `start_on` until `due_on` (dates in the instansi's time zone). Who is assigned is not
    stored: it is resolved in SQL from the targets whenever asked (app/assignments/repository.py
    `members`), so a person who joins a targeted unit is assigned from that moment on."""

    __tablename__ = "assignment"
    __table_args__ = (Index("ix_assignment_instansi_id_status", "instansi_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    instansi_id: Mapped[int] = mapped_column(ForeignKey("instansi.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    start_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), default="active")  # active | withdrawn
    # Everyone of the instansi (narrowed by the filter below), rather than named units.
    all_units: Mapped[bool] = mapped_column(Boolean, default=False)
    filter_jenis_asn: Mapped[str | None] = mapped_column(String(8))
    filter_jenis_jabatan: Mapped[str | None] = mapped_column(String(20))
    filter_golongan: Mapped[str | None] = mapped_column(String(8))
    # The run (angkatan) its people are enrolled in when they start; None: the open run.
    run_id: Mapped[int | None] = mapped_column(ForeignKey("course_run.id", ondelete="SET NULL"))
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=clock.now, onupdate=clock.now
    )

    instansi: Mapped[Instansi] = relationship()
    course: Mapped[Course] = relationship()
    created_by: Mapped[User | None] = relationship()
    unit_targets: Mapped[list[AssignmentUnit]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )
    person_targets: Mapped[list[AssignmentPerson]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )


class AssignmentUnit(Base):
    """A targeted unit: its people and those of every unit under it."""

    __tablename__ = "assignment_unit"

    assignment_id: Mapped[int] = mapped_column(
        ForeignKey("assignment.id", ondelete="CASCADE"), primary_key=True
    )
    unit_id: Mapped[int] = mapped_column(
        ForeignKey("unit.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class AssignmentPerson(Base):
    """A person named on the assignment (by NIP), whatever her unit."""

    __tablename__ = "assignment_person"

    assignment_id: Mapped[int] = mapped_column(
        ForeignKey("assignment.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class AssignmentReminder(Base):
    """The log of reminders sent: the unique key makes each (assignment, person, stage) go out
    once, whatever the number of nodes and reruns. Stages: `assigned`, `due-7`, `due-1`,
    `overdue-<n>` (the n-th week after the deadline), each followed by `@<deadline>` so that an
    extended deadline gets its own reminders."""

    __tablename__ = "assignment_reminder"
    __table_args__ = (UniqueConstraint("assignment_id", "user_id", "stage"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignment.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    stage: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(8))  # email | notice
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)


class Notice(Base):
    """A message shown in Cakap (the dashboard) to someone mail cannot reach."""

    __tablename__ = "notice"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    assignment_id: Mapped[int | None] = mapped_column(
        ForeignKey("assignment.id", ondelete="SET NULL")
    )
    kind: Mapped[str] = mapped_column(String(30))
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    link: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
