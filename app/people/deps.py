from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from app.accounts.deps import HrUser
from app.core.db import ReadSession
from app.core.params import RowId
from app.models import ImportBatch
from app.people import service


def batch_for_page(batch_id: RowId, db: ReadSession, user: HrUser) -> ImportBatch:
    return service.batch_for(db, batch_id=batch_id, actor=user)


PageBatch = Annotated[ImportBatch, Depends(batch_for_page)]
