from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from app.accounts import service as accounts
from app.accounts.deps import AdminUser
from app.core.db import DbSession
from app.models import User


def user_for_admin(user_id: int, db: DbSession, admin: AdminUser) -> User:
    return accounts.get_user(db, user_id)


ManagedUser = Annotated[User, Depends(user_for_admin)]
