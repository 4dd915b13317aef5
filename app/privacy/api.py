from typing import Any

from fastapi import APIRouter

from app.accounts.deps import ApiUser
from app.core.db import TransactionRoute, WriteSession
from app.privacy import service

router = APIRouter(route_class=TransactionRoute, tags=["privacy"])


@router.get("/me/data")
def my_data(db: WriteSession, user: ApiUser) -> dict[str, Any]:
    """Everything Cakap holds about the caller (UU PDP). The download is audited."""
    return service.personal_data(db, user=user)
