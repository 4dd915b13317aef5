from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core import clock
from app.core.db import Base, UTCDateTime
from app.models.course import Course, CourseVersion
from app.models.learning import Enrollment
from app.models.user import User


class CertificateCounter(Base):
    """The last number given per year: locked and incremented in the issuing transaction, so
    numbers never repeat and never skip (a rolled-back issue rolls its number back too)."""

    __tablename__ = "certificate_counter"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


class Certificate(Base):
    __tablename__ = "certificate"
    __table_args__ = (UniqueConstraint("year", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(
        ForeignKey("enrollment.id", ondelete="RESTRICT"), unique=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT"), index=True
    )
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="RESTRICT"))
    version_id: Mapped[int] = mapped_column(ForeignKey("course_version.id", ondelete="RESTRICT"))
    year: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(80), unique=True)
    verification_code: Mapped[str] = mapped_column(String(32), unique=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    issued_on: Mapped[date] = mapped_column(Date)
    predicate: Mapped[str] = mapped_column(String(40))
    score: Mapped[float | None] = mapped_column()
    status: Mapped[str] = mapped_column(String(10), default="valid")  # valid | revoked
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_reason: Mapped[str | None] = mapped_column(String(500))
    signed_by: Mapped[str | None] = mapped_column(String(200))  # the signing certificate's subject
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))

    user: Mapped[User] = relationship()
    course: Mapped[Course] = relationship()
    version: Mapped[CourseVersion] = relationship()
    enrollment: Mapped[Enrollment] = relationship()


class CertificateRevision(Base):
    """An earlier file of a certificate, kept when it is reissued (explicitly, audited)."""

    __tablename__ = "certificate_revision"
    __table_args__ = (UniqueConstraint("certificate_id", "revision"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_id: Mapped[int] = mapped_column(
        ForeignKey("certificate.id", ondelete="CASCADE"), index=True
    )
    revision: Mapped[int] = mapped_column(Integer)
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    signed_by: Mapped[str | None] = mapped_column(String(200))
    replaced_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    reason: Mapped[str] = mapped_column(String(500))
