from __future__ import annotations

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import Base


class Instansi(Base):
    """A government agency, e.g. Pemerintah Kabupaten Tasikmalaya (code 3206)."""

    __tablename__ = "instansi"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # Deadlines, the JP year and "today" of its people: Asia/Jakarta (WIB), Asia/Makassar
    # (WITA) or Asia/Jayapura (WIT).
    time_zone: Mapped[str] = mapped_column(
        String(40), default="Asia/Jakarta", server_default="Asia/Jakarta"
    )

    units: Mapped[list[Unit]] = relationship(back_populates="instansi", order_by="Unit.code")


class Unit(Base):
    """A unit kerja: a tree under the instansi (OPD → bidang → sub-unit)."""

    __tablename__ = "unit"
    __table_args__ = (UniqueConstraint("instansi_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    instansi_id: Mapped[int] = mapped_column(
        ForeignKey("instansi.id", ondelete="CASCADE"), index=True
    )
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("unit.id", ondelete="RESTRICT"), index=True
    )
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))

    instansi: Mapped[Instansi] = relationship(back_populates="units")
    parent: Mapped[Unit | None] = relationship(remote_side="Unit.id")
