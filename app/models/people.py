from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core import clock
from app.core.db import Base, UTCDateTime
from app.models.org import Instansi


class ImportBatch(Base):
    """An uploaded people file awaiting commit; kept in the database so every node sees it."""

    __tablename__ = "import_batch"

    id: Mapped[int] = mapped_column(primary_key=True)
    instansi_id: Mapped[int] = mapped_column(
        ForeignKey("instansi.id", ondelete="CASCADE"), index=True
    )
    uploaded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    filename: Mapped[str] = mapped_column(String(255))
    data: Mapped[bytes] = mapped_column(LargeBinary)  # the upload; emptied once committed
    bad_rows: Mapped[bytes | None] = mapped_column(LargeBinary)  # CSV for the errors download
    status: Mapped[str] = mapped_column(String(16), default="preview")  # preview | committed
    created_count: Mapped[int] = mapped_column(Integer, default=0)
    updated_count: Mapped[int] = mapped_column(Integer, default=0)
    error_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    committed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    instansi: Mapped[Instansi] = relationship()
